using OsteoML.Dicom.IO;

namespace OsteoML.Dicom.Codecs;

/// <summary>Moves a dataset's pixel data from one transfer syntax to another (decode with one codec, encode with the other).</summary>
public static class DicomTranscoder
{
    public static DicomDataset Transcode(DicomDataset source, DicomTransferSyntax target)
    {
        var result = source.Clone();
        result.InternalTransferSyntax = target;
        var current = source.InternalTransferSyntax;
        if (source.Find(DicomTag.PixelData) is null || current.IsEncapsulated == target.IsEncapsulated && (!target.IsEncapsulated || current.UID == target.UID))
            return result;

        var pixels = DicomPixelData.Create(source);
        var format = pixels.Format;
        if (!target.IsEncapsulated)
        {
            // Decoded frames are interleaved and little endian: one OW/OB value of all frames.
            var all = new byte[checked(format.FrameBytes * pixels.NumberOfFrames)];
            for (var f = 0; f < pixels.NumberOfFrames; f++)
                pixels.ReadFrame(f, all.AsSpan((int)(f * format.FrameBytes), (int)format.FrameBytes));
            if (format.BitsAllocated == 1)
                throw new NotSupportedException("re-packing 1-bit pixel data into a native syntax is not supported.");
            result.AddOrUpdate(new DicomElement(DicomTag.PixelData, format.BitsAllocated > 8 ? DicomVR.OW : DicomVR.OB, all));
            if (format.SamplesPerPixel > 1)
                result.AddOrUpdate(DicomTag.PlanarConfiguration, (ushort)0);
            result.Remove(DicomTag.ExtendedOffsetTable);
            result.Remove(DicomTag.ExtendedOffsetTableLengths);
            return result;
        }

        var codec = DicomCodecRegistry.Get(target);
        var fragments = new List<IByteBuffer>();
        var offsets = new List<uint>();
        long position = 0;
        var frame = new byte[format.FrameBytes];
        for (var f = 0; f < pixels.NumberOfFrames; f++)
        {
            pixels.ReadFrame(f, frame);
            var encoded = codec.Encode(frame, format);
            offsets.Add(checked((uint)position));
            position += 8 + encoded.Length;
            fragments.Add(new MemoryByteBuffer(encoded));
        }
        result.AddOrUpdate(new DicomFragmentSequence(DicomTag.PixelData, DicomVR.OB, offsets, fragments));
        if (target.IsLossy)
            result.AddOrUpdate(DicomTag.LossyImageCompression, "01"); // PS3.3 §C.7.6.1.1.5: once lossy, always marked
        if (format.SamplesPerPixel > 1)
            result.AddOrUpdate(DicomTag.PlanarConfiguration, (ushort)0);
        return result;
    }
}
