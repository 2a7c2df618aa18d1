using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace OsteoML.Dicom.Codecs;

/// <summary>
/// JPEG lossless, non-hierarchical, Huffman coded (ITU-T T.81 process 14, Annex H): any predictor 1–7, any point
/// transform, 2–16 bits, one or more components in interleaved or separate scans, restart intervals. Serves both
/// 1.2.840.10008.1.2.4.57 and the SV1 syntax 1.2.840.10008.1.2.4.70 (which is process 14 with predictor 1).
/// Decode only: DICOM files in these syntaxes are written by the modalities, and our writer uses RLE for lossless.
/// </summary>
public sealed class JpegLosslessCodec(DicomTransferSyntax syntax) : IDicomCodec
{
    public DicomTransferSyntax TransferSyntax { get; } = syntax;

    public void Decode(ReadOnlySpan<byte> compressed, DicomPixelFormat format, Span<byte> destination) =>
        new JpegLosslessDecoder(compressed, format).Decode(destination);

    /// <summary>Every sample costs at least one bit of Huffman code, and decodes to at most two bytes.</summary>
    public long MaxDecodedBytes(long compressedBytes) => 16 * compressedBytes;

    public bool CanEncode => false;

    public byte[] Encode(ReadOnlySpan<byte> frame, DicomPixelFormat format) =>
        throw new NotSupportedException($"{TransferSyntax.Name}: this library decodes JPEG lossless but does not encode it; write RLE Lossless instead.");
}

/// <summary>A canonical Huffman table (T.81 Annex C) with a lookup of the first <see cref="LookupBits"/> bits.</summary>
internal sealed class HuffmanTable
{
    public const int LookupBits = 12;

    // Per 12-bit prefix: code length (0: longer than the lookup), symbol; and, when code and extra bits both
    // fit in the prefix, the decoded difference and the total length.
    public readonly byte[] Length = new byte[1 << LookupBits];
    public readonly byte[] Symbol = new byte[1 << LookupBits];
    public readonly byte[] FullLength = new byte[1 << LookupBits];
    public readonly int[] Difference = new int[1 << LookupBits];

    // Slow path for long codes (T.81 F.2.2.3): largest code of each length, and where its symbols start.
    private readonly int[] _maxCode = new int[18];
    private readonly int[] _valueOffset = new int[17];
    private readonly byte[] _values;

    public HuffmanTable(ReadOnlySpan<byte> counts, ReadOnlySpan<byte> values)
    {
        _values = values.ToArray();
        int code = 0, k = 0;
        for (var length = 1; length <= 16; length++)
        {
            var n = counts[length - 1];
            _valueOffset[length] = k - code;
            for (var i = 0; i < n; i++, k++, code++)
            {
                if (code >= 1 << length)
                    throw new DicomDataException("JPEG Huffman table is over-subscribed (corrupt DHT segment).");
                var symbol = values[k];
                if (length <= LookupBits)
                {
                    var shift = LookupBits - length;
                    var first = code << shift;
                    for (var fill = 0; fill < 1 << shift; fill++)
                    {
                        var prefix = first | fill;
                        Length[prefix] = (byte)length;
                        Symbol[prefix] = symbol;
                        var total = length + (symbol == 16 ? 0 : symbol);
                        if (symbol <= 16 && total <= LookupBits)
                        {
                            var extra = symbol is 0 or 16 ? 0 : (prefix >> (LookupBits - total)) & ((1 << symbol) - 1);
                            FullLength[prefix] = (byte)total;
                            Difference[prefix] = JpegLosslessDecoder.Extend(extra, symbol);
                        }
                    }
                }
            }
            _maxCode[length] = n > 0 ? code - 1 : -1;
            code <<= 1;
        }
        _maxCode[17] = int.MaxValue;
    }

    /// <summary>Decodes a code longer than the lookup from the next 16 bits (left-aligned); returns (symbol, length).</summary>
    public (int Symbol, int Length) DecodeSlow(int next16)
    {
        for (var length = LookupBits + 1; length <= 16; length++)
        {
            var code = next16 >> (16 - length);
            if (code <= _maxCode[length])
            {
                var index = code + _valueOffset[length];
                if ((uint)index < (uint)_values.Length)
                    return (_values[index], length);
                break;
            }
        }
        throw new DicomDataException("JPEG lossless data holds a Huffman code that its table does not define (corrupt data).");
    }
}

internal ref struct JpegLosslessDecoder
{
    private readonly ReadOnlySpan<byte> _data;
    private readonly DicomPixelFormat _format;
    private int _pos;

    private int _precision;
    private int _lines;
    private int _samplesPerLine;
    private int _components;
    private readonly int[] _componentIds = new int[4];
    private readonly HuffmanTable?[] _tables = new HuffmanTable?[4];
    private int _restartInterval;

    // Entropy-coded segment bit reader: left-aligned bits in a 64-bit accumulator.
    private ulong _bits;
    private int _bitCount;
    private bool _atMarker;

    public JpegLosslessDecoder(ReadOnlySpan<byte> data, DicomPixelFormat format)
    {
        _data = data;
        _format = format;
    }

    public void Decode(Span<byte> destination)
    {
        if (_format.BitsAllocated > 16)
            throw new DicomDataException($"JPEG lossless holds at most 16 bits per sample; the dataset says BitsAllocated {_format.BitsAllocated}.");
        if (_data.Length < 4 || _data[0] != 0xFF || _data[1] != 0xD8)
            throw new DicomDataException("JPEG lossless frame does not start with an SOI marker (FFD8).");
        _pos = 2;
        var sawFrame = false;
        var scans = 0;
        while (true)
        {
            var marker = NextMarker();
            switch (marker)
            {
                case 0xD9: // EOI
                    if (scans == 0)
                        throw new DicomDataException("JPEG lossless frame ends (EOI) before any scan.");
                    return;
                case 0xC3:
                    ReadFrameHeader(Segment());
                    sawFrame = true;
                    break;
                case 0xC4:
                    ReadHuffmanTables(Segment());
                    break;
                case 0xDD:
                    var dri = Segment();
                    if (dri.Length < 2)
                        throw new DicomDataException("JPEG DRI segment is too short.");
                    _restartInterval = BinaryPrimitives.ReadUInt16BigEndian(dri);
                    break;
                case 0xDA:
                    if (!sawFrame)
                        throw new DicomDataException("JPEG scan (SOS) before the frame header (SOF3).");
                    DecodeScan(Segment(), destination);
                    scans++;
                    if (_pos >= _data.Length)
                        return; // some encoders omit EOI
                    break;
                case >= 0xC0 and <= 0xCF when marker is not (0xC4 or 0xC8 or 0xCC):
                    throw new DicomDataException($"JPEG frame uses process SOF{marker - 0xC0} (marker FF{marker:X2}); only lossless process 14 (SOF3) is supported here.");
                default:
                    Segment(); // APPn, COM, DNL, DAC… carry nothing the decoder needs
                    break;
            }
        }
    }

    private int NextMarker()
    {
        // Markers may be preceded by fill bytes (FF); anything else between segments is skipped.
        while (_pos + 1 < _data.Length)
        {
            if (_data[_pos] == 0xFF && _data[_pos + 1] != 0xFF && _data[_pos + 1] != 0x00)
            {
                var marker = _data[_pos + 1];
                _pos += 2;
                return marker;
            }
            _pos++;
        }
        if (_pos >= _data.Length - 1)
            return 0xD9;
        throw new DicomDataException("JPEG lossless frame ends without an EOI marker.");
    }

    private ReadOnlySpan<byte> Segment()
    {
        if (_pos + 2 > _data.Length)
            throw new DicomDataException("JPEG marker segment is cut off.");
        var length = BinaryPrimitives.ReadUInt16BigEndian(_data[_pos..]);
        if (length < 2 || _pos + length > _data.Length)
            throw new DicomDataException($"JPEG marker segment declares {length} bytes; {_data.Length - _pos} are left.");
        var segment = _data.Slice(_pos + 2, length - 2);
        _pos += length;
        return segment;
    }

    private void ReadFrameHeader(ReadOnlySpan<byte> s)
    {
        if (s.Length < 6)
            throw new DicomDataException("JPEG SOF3 segment is too short.");
        _precision = s[0];
        _lines = BinaryPrimitives.ReadUInt16BigEndian(s[1..]);
        _samplesPerLine = BinaryPrimitives.ReadUInt16BigEndian(s[3..]);
        _components = s[5];
        if (_precision is < 2 or > 16)
            throw new DicomDataException($"JPEG lossless precision {_precision} is outside 2–16 bits.");
        if (_lines == 0)
            _lines = _format.Rows; // height given by a DNL marker: DICOM's Rows says the same
        if (_lines != _format.Rows || _samplesPerLine != _format.Columns)
            throw new DicomDataException($"JPEG frame is {_samplesPerLine}×{_lines}; the dataset says {_format.Columns}×{_format.Rows}.");
        if (_components != _format.SamplesPerPixel || _components > 4 || s.Length < 6 + 3 * _components)
            throw new DicomDataException($"JPEG frame has {_components} components; the dataset says SamplesPerPixel {_format.SamplesPerPixel}.");
        if (_precision > 8 * _format.BytesPerSample)
            throw new DicomDataException($"JPEG precision {_precision} does not fit BitsAllocated {_format.BitsAllocated}.");
        for (var c = 0; c < _components; c++)
        {
            _componentIds[c] = s[6 + 3 * c];
            if (s[7 + 3 * c] != 0x11)
                throw new DicomDataException($"JPEG component {c} has sampling factors {s[7 + 3 * c]:X2}; lossless DICOM images use 1×1.");
        }
    }

    private void ReadHuffmanTables(ReadOnlySpan<byte> s)
    {
        while (s.Length > 0)
        {
            if (s.Length < 17)
                throw new DicomDataException("JPEG DHT segment is cut off.");
            var tableClass = s[0] >> 4;
            var id = s[0] & 15;
            var counts = s.Slice(1, 16);
            var total = 0;
            foreach (var n in counts)
                total += n;
            if (id > 3 || tableClass > 1 || total > 256 || s.Length < 17 + total)
                throw new DicomDataException("JPEG DHT segment is corrupt.");
            if (tableClass == 0)
                _tables[id] = new HuffmanTable(counts, s.Slice(17, total));
            s = s[(17 + total)..];
        }
    }

    private void DecodeScan(ReadOnlySpan<byte> s, Span<byte> destination)
    {
        if (s.Length < 1)
            throw new DicomDataException("JPEG SOS segment is empty.");
        var ns = s[0];
        if (ns is 0 or > 4 || s.Length < 1 + 2 * ns + 3)
            throw new DicomDataException("JPEG SOS segment is corrupt.");
        var componentIndex = new int[ns];
        var tables = new HuffmanTable[ns];
        for (var j = 0; j < ns; j++)
        {
            var id = s[1 + 2 * j];
            var index = Array.IndexOf(_componentIds, id, 0, _components);
            if (index < 0)
                throw new DicomDataException($"JPEG scan names component {id}, which the frame does not have.");
            componentIndex[j] = index;
            var table = s[2 + 2 * j] >> 4; // Td is four bits, but only tables 0–3 exist (ISO 10918-1 §B.2.3)
            tables[j] = (table < _tables.Length ? _tables[table] : null)
                        ?? throw new DicomDataException($"JPEG scan uses Huffman table {table}, which is not defined.");
        }
        var predictor = s[1 + 2 * ns];
        var pointTransform = s[3 + 2 * ns] & 15;
        if (predictor is < 1 or > 7)
            throw new DicomDataException($"JPEG lossless predictor {predictor} is outside 1–7.");
        if (pointTransform >= _precision)
            throw new DicomDataException($"JPEG point transform {pointTransform} is not below the precision {_precision}.");

        _bits = 0;
        _bitCount = 0;
        _atMarker = false;
        var words = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(destination);
        if (_components == 1 && _restartInterval == 0)
        {
            // The common case (one grey channel, no restarts): predictions from locals, no per-sample branching on position.
            if (_format.BytesPerSample == 1)
                DecodeGrey(tables[0], predictor, pointTransform, destination);
            else
                DecodeGrey(tables[0], predictor, pointTransform, words);
        }
        else if (_format.BytesPerSample == 1)
            DecodeSamples(tables, componentIndex, predictor, pointTransform, destination);
        else
            DecodeSamples(tables, componentIndex, predictor, pointTransform, words);
        // Leave the reader at the marker after the entropy-coded data.
        while (_pos + 1 < _data.Length && !(_data[_pos] == 0xFF && _data[_pos + 1] is not 0x00 and not (>= 0xD0 and <= 0xD7)))
            _pos++;
    }

    private void DecodeSamples<T>(HuffmanTable[] tables, ReadOnlySpan<int> componentIndex, int predictor, int pointTransform, Span<T> output)
        where T : unmanaged
    {
        var ns = componentIndex.Length;
        var stride = _components;
        var width = _samplesPerLine;
        var mask = (1 << _precision) - 1; // differences are modulo 2^16 (H.1.2.1); keep P bits
        var initial = 1 << (_precision - pointTransform - 1);
        var mcusToRestart = _restartInterval;
        // H.1.2.1: the first sample of the scan and of each restart interval is predicted by 2^(P-Pt-1), the rest
        // of that line by Ra, the first sample of every other line by Rb.
        var reset = true;
        var firstLine = true;
        for (var y = 0; y < _lines; y++)
        {
            var rowStart = y * width * stride;
            var prevRowStart = rowStart - width * stride;
            for (var x = 0; x < width; x++)
            {
                if (_restartInterval > 0 && mcusToRestart == 0)
                {
                    ReadRestart();
                    mcusToRestart = _restartInterval;
                    reset = firstLine = true;
                }
                for (var j = 0; j < ns; j++)
                {
                    var c = componentIndex[j];
                    var at = rowStart + x * stride + c;
                    int prediction;
                    if (reset)
                        prediction = initial;
                    else if (firstLine)
                        prediction = Get(output, at - stride) >> pointTransform;
                    else if (x == 0)
                        prediction = Get(output, prevRowStart + c) >> pointTransform;
                    else
                    {
                        var ra = Get(output, at - stride) >> pointTransform;
                        var rb = Get(output, prevRowStart + x * stride + c) >> pointTransform;
                        var rc = Get(output, prevRowStart + (x - 1) * stride + c) >> pointTransform;
                        prediction = Predict(predictor, ra, rb, rc);
                    }
                    var value = (prediction + DecodeDifference(tables[j])) & mask;
                    Set(output, at, value << pointTransform);
                }
                reset = false;
                if (_restartInterval > 0)
                    mcusToRestart--;
            }
            firstLine = false;
        }
    }

    /// <summary>One component without restart intervals: the same prediction rules as <see cref="DecodeSamples{T}"/>, unrolled by position.</summary>
    private void DecodeGrey<T>(HuffmanTable table, int predictor, int pointTransform, Span<T> output) where T : unmanaged
    {
        var width = _samplesPerLine;
        var mask = (1 << _precision) - 1;
        var ra = 1 << (_precision - pointTransform - 1);
        for (var x = 0; x < width; x++)
        {
            ra = (ra + DecodeDifference(table)) & mask;
            Set(output, x, ra << pointTransform);
        }
        for (var y = 1; y < _lines; y++)
        {
            var above = output.Slice((y - 1) * width, width);
            var row = output.Slice(y * width, width);
            var rc = Get(above, 0) >> pointTransform;
            ra = (rc + DecodeDifference(table)) & mask;
            Set(row, 0, ra << pointTransform);
            for (var x = 1; x < width; x++)
            {
                var rb = Get(above, x) >> pointTransform;
                var prediction = Predict(predictor, ra, rb, rc);
                ra = (prediction + DecodeDifference(table)) & mask;
                Set(row, x, ra << pointTransform);
                rc = rb;
            }
        }
    }

    /// <summary>The predictors of ITU-T T.81 Table H.1 from the left (a), above (b) and above-left (c) samples.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Predict(int predictor, int ra, int rb, int rc) => predictor switch
    {
        1 => ra,
        2 => rb,
        3 => rc,
        4 => ra + rb - rc,
        5 => ra + ((rb - rc) >> 1),
        6 => rb + ((ra - rc) >> 1),
        _ => (ra + rb) >> 1,
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Get<T>(Span<T> output, int index) where T : unmanaged =>
        typeof(T) == typeof(byte) ? Unsafe.As<T, byte>(ref output[index]) : Unsafe.As<T, ushort>(ref output[index]);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Set<T>(Span<T> output, int index, int value) where T : unmanaged
    {
        if (typeof(T) == typeof(byte))
            Unsafe.As<T, byte>(ref output[index]) = (byte)value;
        else
            Unsafe.As<T, ushort>(ref output[index]) = (ushort)value;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int DecodeDifference(HuffmanTable table)
    {
        if (_bitCount < 32)
            Fill();
        var prefix = (int)(_bits >> (64 - HuffmanTable.LookupBits));
        var full = table.FullLength[prefix];
        if (full != 0)
        {
            Consume(full);
            return table.Difference[prefix];
        }
        int symbol, length = table.Length[prefix];
        if (length != 0)
            symbol = table.Symbol[prefix];
        else
            (symbol, length) = table.DecodeSlow((int)(_bits >> 48));
        Consume(length);
        if (symbol == 0)
            return 0;
        if (symbol >= 16)
            return symbol == 16 ? 32768 : throw new DicomDataException($"JPEG lossless difference category {symbol} is above 16 (corrupt data).");
        var extra = (int)(_bits >> (64 - symbol));
        Consume(symbol);
        return Extend(extra, symbol);
    }

    /// <summary>T.81 F.2.2.1 EXTEND: the low half of each category's range stands for negative differences.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Extend(int value, int category) =>
        category == 0 ? 0 : category == 16 ? 32768 : value < 1 << (category - 1) ? value - (1 << category) + 1 : value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Consume(int n)
    {
        _bits <<= n;
        _bitCount -= n;
    }

    /// <summary>Tops the accumulator up to at least 57 bits, unstuffing FF00; at a marker (or the end) zeros are fed.</summary>
    private void Fill()
    {
        while (_bitCount <= 56)
        {
            ulong b = 0;
            if (!_atMarker && _pos < _data.Length)
            {
                b = _data[_pos];
                if (b == 0xFF)
                {
                    var next = _pos + 1 < _data.Length ? _data[_pos + 1] : 0xD9;
                    if (next == 0x00)
                        _pos += 2;
                    else
                    {
                        _atMarker = true; // a marker ends the entropy-coded segment
                        b = 0;
                    }
                }
                else
                {
                    _pos++;
                }
            }
            _bits |= b << (56 - _bitCount);
            _bitCount += 8;
        }
    }

    private void ReadRestart()
    {
        // Discard the bits left in the byte, then expect RSTn.
        _bits = 0;
        _bitCount = 0;
        _atMarker = false;
        while (_pos + 1 < _data.Length && !(_data[_pos] == 0xFF && _data[_pos + 1] is >= 0xD0 and <= 0xD7))
            _pos++;
        if (_pos + 1 >= _data.Length)
            throw new DicomDataException("JPEG lossless data ends where a restart marker was expected.");
        _pos += 2;
    }
}
