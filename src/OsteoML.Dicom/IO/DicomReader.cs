namespace OsteoML.Dicom.IO;

/// <summary>What to read of a file.</summary>
public sealed record DicomReadOptions
{
    public static readonly DicomReadOptions Default = new();

    /// <summary>Stop at the pixel data element: the header only, for fast scans (the file reports <see cref="DicomFile.HasPixelData"/>).</summary>
    public bool StopAtPixelData { get; init; }

    /// <summary>
    /// Largest inflated size accepted for a deflated dataset, against decompression bombs (1 GiB: a deflated CT
    /// dataset is a few MB; the header's own size bounds it further, see <see cref="DeflatedDataset"/>).
    /// </summary>
    public long MaxInflatedBytes { get; init; } = 1L << 30;
}

/// <summary>
/// Parses Part 10 files and bare datasets (PS3.10 §7, PS3.5 §7): preamble and file meta (or their absence,
/// with the syntax found by inspection), explicit and implicit VR, both byte orders, deflate, defined and
/// undefined lengths, nested sequences, UN with undefined length as implicit VR sequence (CP-246), and
/// encapsulated pixel data whose fragments stay in the file.
/// </summary>
internal sealed class DicomReader
{
    private const uint UndefinedLength = 0xFFFFFFFF;
    private const int MaxDepth = 64;

    private readonly DicomReadOptions _options;
    private DicomInput _input;

    private DicomReader(DicomInput input, DicomReadOptions options)
    {
        _input = input;
        _options = options;
    }

    private readonly record struct Syntax(bool Explicit, bool BigEndian);

    /// <param name="Warnings">What was read despite a deviation from the standard (trailing bytes after the pixel data …).</param>
    /// <param name="PixelDataLength">When reading stopped at the pixel data: its declared length (null when undefined, i.e. encapsulated).</param>
    /// <param name="PixelDataBytesBound">When reading stopped at the pixel data: the most bytes the rest of the file can hold or inflate to.</param>
    public sealed record Result(DicomDataset Meta, DicomDataset Dataset, DicomTransferSyntax TransferSyntax, bool StoppedAtPixelData,
        IReadOnlyList<string> Warnings, long? PixelDataLength = null, long PixelDataBytesBound = 0);

    public static Result Read(DicomInput input, DicomReadOptions options)
    {
        var reader = new DicomReader(input, options);
        return reader.ReadFile();
    }

    private bool _stoppedAtPixelData;
    private readonly List<string> _warnings = [];
    private long _pixelDataStart = -1;
    private long? _pixelDataLength;
    private long _pixelDataBytesBound;
    /// <summary>For a deflated dataset kept only up to its pixel data: the size of the whole inflated dataset.</summary>
    private long? _deflatedLength;

    private Result ReadFile()
    {
        var meta = new DicomDataset();
        if (_input.Length >= 132 && IsDicm(128))
            _input.Skip(132);
        else if (_input.Length >= 4 && IsDicm(0))
            _input.Skip(4);
        if (_input.Remaining >= 8 && _input.PeekUInt16(0, false) == 0x0002)
            ReadMeta(meta);

        DicomTransferSyntax syntax;
        if (meta.TryGetString(DicomTag.TransferSyntaxUID, out var uid) && uid.Length > 0)
            syntax = DicomTransferSyntax.Lookup(uid);
        else
            syntax = Detect();

        if (syntax.IsDeflated)
        {
            var (inflated, inflatedLength) = DeflatedDataset.Inflate(_input, _options);
            _input.Dispose();
            _input = inflated;
            _deflatedLength = inflatedLength;
        }

        var dataset = new DicomDataset { InternalTransferSyntax = syntax };
        if (_input.Remaining > 0)
            ReadItems(dataset, new Syntax(syntax.IsExplicitVR, syntax.IsBigEndian), end: -1, depth: 0);
        return new Result(meta, dataset, syntax, _stoppedAtPixelData, _warnings, _pixelDataLength, _pixelDataBytesBound);
    }

    /// <summary>
    /// Parses an inflated prefix of a deflated dataset (explicit VR little endian) up to its pixel data: the dataset
    /// and the offset of the pixel data element, or null when the prefix ends before it. Throws when the prefix is
    /// cut inside an element (more must be inflated) or is corrupt.
    /// </summary>
    internal static (DicomDataset Dataset, long PixelDataOffset, long? PixelDataLength)? ProbeToPixelData(byte[] bytes, int length)
    {
        using var input = DicomInput.FromMemory(bytes, length, "inflated prefix");
        var reader = new DicomReader(input, new DicomReadOptions { StopAtPixelData = true });
        var dataset = new DicomDataset { InternalTransferSyntax = DicomTransferSyntax.DeflatedExplicitVRLittleEndian };
        reader.ReadItems(dataset, new Syntax(true, false), end: -1, depth: 0);
        return reader._stoppedAtPixelData ? (dataset, reader._pixelDataStart, reader._pixelDataLength) : null;
    }

    private bool IsDicm(int offset) =>
        _input.PeekByte(offset) == 'D' && _input.PeekByte(offset + 1) == 'I' && _input.PeekByte(offset + 2) == 'C' && _input.PeekByte(offset + 3) == 'M';

    /// <summary>Group 0002 is always explicit VR little endian (PS3.10 §7.1); it ends where the next group starts.</summary>
    private void ReadMeta(DicomDataset meta)
    {
        var syntax = new Syntax(true, false);
        while (_input.Remaining >= 8 && _input.PeekUInt16(0, false) == 0x0002)
            ReadElement(meta, syntax, depth: 0);
    }

    /// <summary>No transfer syntax given: look at the first element (PS3.5 §10 allows only these three for bare datasets).</summary>
    private DicomTransferSyntax Detect()
    {
        if (_input.Remaining < 8)
            return DicomTransferSyntax.ImplicitVRLittleEndian;
        var littleGroup = _input.PeekUInt16(0, false);
        var bigGroup = _input.PeekUInt16(0, true);
        var isExplicit = DicomVR.TryGet(_input.PeekByte(4), _input.PeekByte(5)) is not null;
        if (bigGroup < littleGroup && bigGroup <= 0x0008 && isExplicit)
            return DicomTransferSyntax.ExplicitVRBigEndian;
        return isExplicit ? DicomTransferSyntax.ExplicitVRLittleEndian : DicomTransferSyntax.ImplicitVRLittleEndian;
    }

    /// <summary>Reads elements into <paramref name="dataset"/> until <paramref name="end"/> or, when -1, an item delimiter or the end of input.</summary>
    /// <returns>True when an item delimitation item ended the list.</returns>
    private bool ReadItems(DicomDataset dataset, Syntax syntax, long end, int depth)
    {
        if (depth > MaxDepth)
            throw new DicomDataException($"{_input.Name}: sequences nested deeper than {MaxDepth} levels at offset {_input.Position}.");
        while (end < 0 ? _input.Remaining > 0 : _input.Position < end)
        {
            if (_input.Remaining < 8)
            {
                if (depth == 0)
                    return false; // trailing bytes after the last element: some writers pad; nothing to read there
                throw _input.Truncated(8);
            }
            var group = _input.PeekUInt16(0, syntax.BigEndian);
            var element = _input.PeekUInt16(2, syntax.BigEndian);
            if (group == 0xFFFE)
            {
                _input.Skip(4);
                _input.ReadUInt32(syntax.BigEndian);
                if (element == 0xE00D && depth > 0)
                    return true;
                if (depth == 0 && element is 0xE00D or 0xE0DD)
                    continue; // a stray delimiter between top-level elements (some writers leave one): skip it, as dcmtk does
                throw new DicomDataException($"{_input.Name}: unexpected ({group:X4},{element:X4}) inside a dataset at offset {_input.Position - 8}.");
            }
            if (depth == 0 && dataset.Contains(DicomTag.PixelData))
            {
                // After the pixel data only trailing padding or garbage is expected (some archives append bytes):
                // dcmtk, GDCM and pydicom keep the image, so we keep it too and say what was ignored.
                var at = _input.Position;
                try
                {
                    if (!ReadElement(dataset, syntax, depth))
                        return false;
                }
                catch (DicomDataException ex)
                {
                    _warnings.Add($"{_input.Length - at} byte(s) after the pixel data at offset {at} are not a valid element and were ignored ({ex.Message.Replace(_input.Name + ": ", "", StringComparison.Ordinal)})");
                    return false;
                }
                continue;
            }
            if (!ReadElement(dataset, syntax, depth))
                return false;
        }
        return false;
    }

    /// <returns>False when reading stops here (at the pixel data, when asked to).</returns>
    private bool ReadElement(DicomDataset dataset, Syntax syntax, int depth)
    {
        var start = _input.Position;
        var tag = new DicomTag(_input.ReadUInt16(syntax.BigEndian), _input.ReadUInt16(syntax.BigEndian));
        DicomVR vr;
        uint length;
        var elementIsExplicit = false;
        if (syntax.Explicit && DicomVR.TryGet(_input.PeekByte(0), _input.PeekByte(1)) is { } explicitVR)
        {
            elementIsExplicit = true;
            vr = explicitVR;
            _input.Skip(2);
            if (vr.HasLongHeader)
            {
                _input.Skip(2);
                length = _input.ReadUInt32(syntax.BigEndian);
            }
            else
            {
                length = _input.ReadUInt16(syntax.BigEndian);
            }
        }
        else
        {
            // Implicit VR, or an element without a valid VR in an explicit stream (read as implicit, like dcmtk).
            vr = DicomDictionary.ImplicitVR(tag);
            length = _input.ReadUInt32(syntax.BigEndian);
            // "US or SS" elements (pixel value ranges, LUT descriptors) follow PixelRepresentation (PS3.3 §C.7.6.3.1).
            if (vr == DicomVR.US && DicomDictionary.Lookup(tag)?.ValueRepresentations.Contains(DicomVR.SS) == true
                && dataset.GetSingleValueOrDefault(DicomTag.PixelRepresentation, 0) == 1)
                vr = DicomVR.SS;
        }

        // UN for a tag the dictionary knows (a converter that lost the VR): read it with the registered VR, as
        // pydicom does; its bytes are implicit VR little endian (PS3.5 §6.2.2).
        var unFromImplicit = false;
        if (elementIsExplicit && vr == DicomVR.UN && !tag.IsPrivate && length != UndefinedLength
            && DicomDictionary.Lookup(tag) is { } known && known.ValueRepresentation != DicomVR.UN)
        {
            vr = known.ValueRepresentation;
            unFromImplicit = true;
        }

        var isPixelData = depth == 0 && tag.Group == 0x7FE0 && tag.Element is 0x0010 or 0x0008 or 0x0009;
        if (isPixelData && _options.StopAtPixelData)
        {
            // What a header-only reader still needs to check declared sizes against (NumberOfFrames × Rows × …).
            _stoppedAtPixelData = true;
            _pixelDataStart = start;
            _pixelDataLength = length == UndefinedLength ? null : length;
            _pixelDataBytesBound = _deflatedLength is { } whole ? whole - _input.Position : _input.Remaining;
            return false;
        }

        if (length == UndefinedLength)
        {
            DicomItem item;
            if (vr == DicomVR.SQ)
                item = ReadSequence(tag, syntax, UndefinedLength, depth);
            else if (vr == DicomVR.UN || !elementIsExplicit && tag.Group != 0x7FE0)
                // CP-246: UN (or an unknown implicit element) with undefined length is a sequence in implicit VR little endian.
                item = ReadSequence(tag, new Syntax(false, false), UndefinedLength, depth);
            else if (tag.Group == 0x7FE0) // the image's pixel data, or an icon's inside a sequence
                item = ReadFragments(tag, vr == DicomVR.OW ? DicomVR.OB : vr, syntax);
            else
                throw new DicomDataException($"{_input.Name}: {tag} {vr} has undefined length, which only SQ, UN and pixel data may have (offset {start}).");
            Add(dataset, item);
            return true;
        }

        if (length > _input.Remaining)
        {
            if (isPixelData)
            {
                // Keep the header readable; reading the pixels reports the truncation.
                Add(dataset, new DicomElement(tag, vr, new MissingByteBuffer(length,
                    $"{_input.Name}: pixel data {tag} declares {length} bytes but the file has {_input.Remaining} left (truncated file)")));
                _input.Skip(_input.Remaining);
                return false;
            }
            throw new DicomDataException($"{_input.Name}: {DescribeTag(tag)} {vr} declares {length} bytes at offset {start} but only {_input.Remaining} are left (truncated or corrupt file).");
        }

        if (vr == DicomVR.SQ)
        {
            Add(dataset, ReadSequence(tag, unFromImplicit ? new Syntax(false, false) : syntax, length, depth));
            return true;
        }
        if (isPixelData)
        {
            var swap = syntax.BigEndian ? vr.UnitSize : 1;
            Add(dataset, new DicomElement(tag, vr, _input.Region(_input.Position, length, swap)));
            _input.Skip(length);
            return true;
        }
        if (vr == DicomVR.UN && length >= 8 && LooksLikeItem())
        {
            // An implicit VR private sequence, or UN that was SQ: read it as one if it parses, else keep the bytes.
            var position = _input.Position;
            try
            {
                Add(dataset, ReadSequence(tag, new Syntax(false, false), length, depth));
                return true;
            }
            catch (DicomDataException)
            {
                _input.Seek(position);
            }
        }
        var value = syntax.BigEndian && !unFromImplicit && vr.UnitSize > 1 ? _input.TakeSwapped((int)length, vr.UnitSize) : _input.Take((int)length);
        Add(dataset, new DicomElement(tag, vr, value));
        return true;
    }

    private bool LooksLikeItem() =>
        _input.PeekUInt16(0, false) == 0xFFFE && _input.PeekUInt16(2, false) == 0xE000;

    private static void Add(DicomDataset dataset, DicomItem item) => dataset.AddParsed(item);

    private DicomSequence ReadSequence(DicomTag tag, Syntax syntax, uint length, int depth)
    {
        var sequence = new DicomSequence(tag);
        var end = length == UndefinedLength ? -1 : _input.Position + length;
        while (end < 0 || _input.Position < end)
        {
            var itemStart = _input.Position;
            var group = _input.ReadUInt16(syntax.BigEndian);
            var element = _input.ReadUInt16(syntax.BigEndian);
            var itemLength = _input.ReadUInt32(syntax.BigEndian);
            if (group == 0xFFFE && element == 0xE0DD)
                break;
            if (group != 0xFFFE || element != 0xE000)
                throw new DicomDataException($"{_input.Name}: sequence {DescribeTag(tag)} holds ({group:X4},{element:X4}) at offset {itemStart} where an item was expected.");
            var item = new DicomDataset();
            if (itemLength == UndefinedLength)
            {
                if (!ReadItems(item, syntax, -1, depth + 1))
                    throw new DicomDataException($"{_input.Name}: item of sequence {DescribeTag(tag)} starting at offset {itemStart} is not delimited before the end of the data.");
            }
            else
            {
                if (itemLength > _input.Remaining || (end >= 0 && _input.Position + itemLength > end))
                    throw new DicomDataException($"{_input.Name}: item of sequence {DescribeTag(tag)} at offset {itemStart} declares {itemLength} bytes, more than its sequence or file holds.");
                ReadItems(item, syntax, _input.Position + itemLength, depth + 1);
            }
            sequence.Items.Add(item);
        }
        if (end >= 0 && _input.Position != end)
            throw new DicomDataException($"{_input.Name}: sequence {DescribeTag(tag)} overruns its declared length of {length} bytes.");
        return sequence;
    }

    /// <summary>Encapsulated pixel data: the offset table item, then one item per fragment, then the sequence delimiter.</summary>
    private DicomFragmentSequence ReadFragments(DicomTag tag, DicomVR vr, Syntax syntax)
    {
        uint[] offsets = [];
        var fragments = new List<IByteBuffer>();
        var first = true;
        while (true)
        {
            var at = _input.Position;
            _input.Ensure(8, readAhead: 8);
            var group = _input.ReadUInt16(syntax.BigEndian);
            var element = _input.ReadUInt16(syntax.BigEndian);
            var length = _input.ReadUInt32(syntax.BigEndian);
            if (group == 0xFFFE && element == 0xE0DD)
                break;
            if (group != 0xFFFE || element != 0xE000)
                throw new DicomDataException($"{_input.Name}: encapsulated pixel data holds ({group:X4},{element:X4}) at offset {at} where a fragment item was expected.");
            if (length == UndefinedLength || length > _input.Remaining)
                throw new DicomDataException($"{_input.Name}: fragment at offset {at} declares {length:X8} bytes but {_input.Remaining} are left (truncated or corrupt file).");
            if (first)
            {
                var table = _input.Take((int)length).Span;
                offsets = new uint[table.Length / 4];
                for (var i = 0; i < offsets.Length; i++)
                    offsets[i] = syntax.BigEndian
                        ? System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(table[(4 * i)..])
                        : System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(table[(4 * i)..]);
                first = false;
                continue;
            }
            fragments.Add(_input.Region(_input.Position, length, 1));
            _input.Skip(length);
        }
        return new DicomFragmentSequence(tag, vr, offsets, fragments);
    }

    private static string DescribeTag(DicomTag tag) => tag.Keyword is { } k ? $"{k} {tag}" : tag.ToString();
}

/// <summary>A value the file promised but does not hold (truncated file): reading it fails with the reason.</summary>
internal sealed class MissingByteBuffer(long size, string reason) : IByteBuffer
{
    public long Size => size;
    public ReadOnlyMemory<byte> Data => throw new DicomDataException(reason);
    public void CopyTo(long offset, Span<byte> destination) => throw new DicomDataException(reason);
}
