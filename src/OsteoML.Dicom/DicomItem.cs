using OsteoML.Dicom.IO;

namespace OsteoML.Dicom;

/// <summary>Something a dataset holds under a tag: an element with a value, a sequence of items, or encapsulated pixel data.</summary>
public abstract class DicomItem(DicomTag tag, DicomVR vr)
{
    public DicomTag Tag { get; } = tag;
    public DicomVR VR { get; } = vr;

    public override string ToString() => $"{Tag} {VR}";
}

/// <summary>A data element: tag, VR and its value bytes, always held in little endian order.</summary>
public sealed class DicomElement(DicomTag tag, DicomVR vr, IByteBuffer buffer) : DicomItem(tag, vr)
{
    public DicomElement(DicomTag tag, DicomVR vr, ReadOnlyMemory<byte> value) : this(tag, vr, new MemoryByteBuffer(value)) { }

    public IByteBuffer Buffer { get; } = buffer;

    /// <summary>Value length in bytes (before the writer pads it to even length).</summary>
    public long Length => Buffer.Size;
}

/// <summary>A sequence (VR SQ): an ordered list of item datasets, PS3.5 §7.5.</summary>
public sealed class DicomSequence : DicomItem
{
    public DicomSequence(DicomTag tag, params IEnumerable<DicomDataset> items) : base(tag, DicomVR.SQ)
    {
        Items = [.. items];
    }

    public List<DicomDataset> Items { get; }
}

/// <summary>
/// Encapsulated pixel data (PS3.5 §A.4): the Basic Offset Table (may be empty) and the fragments, which stay in
/// the file until a frame is decoded.
/// </summary>
public sealed class DicomFragmentSequence(DicomTag tag, DicomVR vr, IReadOnlyList<uint> offsetTable, IReadOnlyList<IByteBuffer> fragments)
    : DicomItem(tag, vr)
{
    /// <summary>Byte offsets of each frame's first fragment, counted from the first fragment's item tag; empty when not sent.</summary>
    public IReadOnlyList<uint> OffsetTable { get; } = offsetTable;

    public IReadOnlyList<IByteBuffer> Fragments { get; } = fragments;
}
