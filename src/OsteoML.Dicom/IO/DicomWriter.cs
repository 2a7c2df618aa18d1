using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;

namespace OsteoML.Dicom.IO;

/// <summary>
/// Writes Part 10 files (PS3.10 §7.1): a 128-byte preamble, "DICM", the file meta group with its exact group
/// length, then the dataset in the transfer syntax. Sequences and items use undefined lengths with delimiters;
/// the retired group lengths of other groups are not written (PS3.5 §7.2), so none can be stale.
/// </summary>
internal static class DicomWriter
{
    private const uint UndefinedLength = 0xFFFFFFFF;

    public static void WriteFile(Stream stream, DicomDataset meta, DicomDataset dataset, DicomTransferSyntax syntax)
    {
        if (!syntax.IsKnown)
            throw new NotSupportedException($"cannot write transfer syntax {syntax.UID}: it is unknown to this library.");
        var hasFragments = dataset.Find(DicomTag.PixelData) is DicomFragmentSequence;
        if (dataset.Contains(DicomTag.PixelData) && hasFragments != syntax.IsEncapsulated)
            throw new InvalidOperationException(
                $"the pixel data is {(hasFragments ? "encapsulated" : "native")} but {syntax} needs {(syntax.IsEncapsulated ? "encapsulated" : "native")} pixel data; use DicomFile.Clone(syntax) to transcode.");

        var header = new byte[132];
        "DICM"u8.CopyTo(header.AsSpan(128));
        stream.Write(header);
        WriteMeta(stream, BuildMeta(meta, dataset, syntax));

        if (syntax.IsDeflated)
        {
            using var deflate = new DeflateStream(stream, CompressionLevel.Optimal, leaveOpen: true);
            using var buffered = new BufferedStream(deflate, 1 << 16);
            WriteItems(buffered, dataset, explicitVR: true, bigEndian: false);
        }
        else
        {
            WriteItems(stream, dataset, syntax.IsExplicitVR, syntax.IsBigEndian);
        }
    }

    /// <summary>The file meta for this dataset: what the caller gave, with the required elements made consistent.</summary>
    private static DicomDataset BuildMeta(DicomDataset given, DicomDataset dataset, DicomTransferSyntax syntax)
    {
        var meta = new DicomDataset();
        foreach (var item in given)
        {
            if (item.Tag.Group == 0x0002 && !item.Tag.IsGroupLength)
                meta.AddOrUpdate(item);
        }
        meta.AddOrUpdate(new DicomElement(DicomTag.FileMetaInformationVersion, DicomVR.OB, new byte[] { 0, 1 }));
        var sopClass = dataset.GetStringOrDefault(DicomTag.SOPClassUID)
                       ?? given.GetStringOrDefault(DicomTag.MediaStorageSOPClassUID)
                       ?? throw new InvalidOperationException("the dataset has no SOPClassUID (0008,0016), which the file meta needs.");
        var sopInstance = dataset.GetStringOrDefault(DicomTag.SOPInstanceUID)
                          ?? given.GetStringOrDefault(DicomTag.MediaStorageSOPInstanceUID)
                          ?? throw new InvalidOperationException("the dataset has no SOPInstanceUID (0008,0018), which the file meta needs.");
        meta.AddOrUpdate(DicomTag.MediaStorageSOPClassUID, DicomVR.UI, sopClass);
        meta.AddOrUpdate(DicomTag.MediaStorageSOPInstanceUID, DicomVR.UI, sopInstance);
        meta.AddOrUpdate(DicomTag.TransferSyntaxUID, DicomVR.UI, syntax.UID);
        meta.AddOrUpdate(DicomTag.ImplementationClassUID, DicomVR.UI, DicomUID.ImplementationClassUID);
        meta.AddOrUpdate(DicomTag.ImplementationVersionName, DicomVR.SH, DicomUID.ImplementationVersionName);
        return meta;
    }

    private static void WriteMeta(Stream stream, DicomDataset meta)
    {
        using var body = new MemoryStream();
        WriteItems(body, meta, explicitVR: true, bigEndian: false, includeMeta: true);
        var length = new DicomElement(DicomTag.FileMetaInformationGroupLength, DicomVR.UL, BitConverter.GetBytes((uint)body.Length));
        WriteElement(stream, length, explicitVR: true, bigEndian: false);
        body.Position = 0;
        body.CopyTo(stream);
    }

    private static void WriteItems(Stream stream, DicomDataset dataset, bool explicitVR, bool bigEndian, bool includeMeta = false)
    {
        foreach (var item in dataset)
        {
            if (item.Tag.IsGroupLength || (item.Tag.Group == 0x0002) != includeMeta)
                continue;
            switch (item)
            {
                case DicomElement element:
                    WriteElement(stream, element, explicitVR, bigEndian);
                    break;
                case DicomSequence sequence:
                    WriteHeader(stream, sequence.Tag, DicomVR.SQ, UndefinedLength, explicitVR, bigEndian);
                    foreach (var child in sequence.Items)
                    {
                        WriteTag(stream, DicomTag.Item, UndefinedLength, bigEndian);
                        WriteItems(stream, child, explicitVR, bigEndian);
                        WriteTag(stream, DicomTag.ItemDelimitationItem, 0, bigEndian);
                    }
                    WriteTag(stream, DicomTag.SequenceDelimitationItem, 0, bigEndian);
                    break;
                case DicomFragmentSequence fragments:
                    WriteFragments(stream, fragments, explicitVR, bigEndian);
                    break;
            }
        }
    }

    private static void WriteElement(Stream stream, DicomElement element, bool explicitVR, bool bigEndian)
    {
        var length = element.Length;
        var padded = length + (length & 1);
        if (padded > uint.MaxValue - 1)
            throw new InvalidOperationException($"{element.Tag}: a value of {length} bytes exceeds the 32-bit DICOM length.");
        var vr = element.VR;
        // A value too long for a 16-bit length field can only be written as UN in explicit VR (PS3.5 §6.2.2).
        if (explicitVR && !vr.HasLongHeader && padded > 0xFFFE)
            vr = DicomVR.UN;
        WriteHeader(stream, element.Tag, vr, (uint)padded, explicitVR, bigEndian);

        var swap = bigEndian ? element.VR.UnitSize : 1;
        CopyValue(stream, element.Buffer, swap);
        if ((length & 1) == 1)
            stream.WriteByte(element.VR.PaddingByte);
    }

    /// <summary>Copies a value in blocks, so pixel data left in its file is streamed rather than loaded whole.</summary>
    private static void CopyValue(Stream stream, IO.IByteBuffer buffer, int swapUnit)
    {
        if (buffer is MemoryByteBuffer && swapUnit == 1)
        {
            stream.Write(buffer.Data.Span);
            return;
        }
        var block = ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            for (long offset = 0; offset < buffer.Size;)
            {
                var n = (int)Math.Min(block.Length, buffer.Size - offset);
                var span = block.AsSpan(0, n);
                buffer.CopyTo(offset, span);
                ByteSwap.InPlace(span, swapUnit);
                stream.Write(span);
                offset += n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(block);
        }
    }

    private static void WriteFragments(Stream stream, DicomFragmentSequence fragments, bool explicitVR, bool bigEndian)
    {
        WriteHeader(stream, fragments.Tag, fragments.VR, UndefinedLength, explicitVR, bigEndian);
        WriteTag(stream, DicomTag.Item, (uint)(fragments.OffsetTable.Count * 4), bigEndian);
        Span<byte> four = stackalloc byte[4];
        foreach (var offset in fragments.OffsetTable)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(four, offset);
            stream.Write(four);
        }
        foreach (var fragment in fragments.Fragments)
        {
            var length = fragment.Size;
            WriteTag(stream, DicomTag.Item, checked((uint)(length + (length & 1))), bigEndian);
            CopyValue(stream, fragment, 1);
            if ((length & 1) == 1)
                stream.WriteByte(0);
        }
        WriteTag(stream, DicomTag.SequenceDelimitationItem, 0, bigEndian);
    }

    private static void WriteHeader(Stream stream, DicomTag tag, DicomVR vr, uint length, bool explicitVR, bool bigEndian)
    {
        Span<byte> h = stackalloc byte[12];
        WriteU16(h, tag.Group, bigEndian);
        WriteU16(h[2..], tag.Element, bigEndian);
        if (!explicitVR)
        {
            WriteU32(h[4..], length, bigEndian);
            stream.Write(h[..8]);
            return;
        }
        h[4] = (byte)vr.Code[0];
        h[5] = (byte)vr.Code[1];
        if (vr.HasLongHeader)
        {
            h[6] = h[7] = 0;
            WriteU32(h[8..], length, bigEndian);
            stream.Write(h);
        }
        else
        {
            WriteU16(h[6..], (ushort)length, bigEndian);
            stream.Write(h[..8]);
        }
    }

    private static void WriteTag(Stream stream, DicomTag tag, uint length, bool bigEndian)
    {
        Span<byte> h = stackalloc byte[8];
        WriteU16(h, tag.Group, bigEndian);
        WriteU16(h[2..], tag.Element, bigEndian);
        WriteU32(h[4..], length, bigEndian);
        stream.Write(h);
    }

    private static void WriteU16(Span<byte> b, ushort v, bool bigEndian)
    {
        if (bigEndian)
            BinaryPrimitives.WriteUInt16BigEndian(b, v);
        else
            BinaryPrimitives.WriteUInt16LittleEndian(b, v);
    }

    private static void WriteU32(Span<byte> b, uint v, bool bigEndian)
    {
        if (bigEndian)
            BinaryPrimitives.WriteUInt32BigEndian(b, v);
        else
            BinaryPrimitives.WriteUInt32LittleEndian(b, v);
    }
}
