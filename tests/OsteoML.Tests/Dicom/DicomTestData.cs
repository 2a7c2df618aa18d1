using OsteoML.Dicom;
using OsteoML.Imaging;

namespace OsteoML.Tests.Dicom;

/// <summary>Datasets and volumes the DICOM tests build (written by our writer, then checked by the reference tools).</summary>
internal static class DicomTestData
{
    /// <summary>A CT-like dataset with values of many VRs, a nested sequence, private elements and non-ASCII text.</summary>
    public static DicomDataset RichDataset(int rows = 8, int columns = 6)
    {
        var ds = new DicomDataset();
        ds.Add(DicomTag.SpecificCharacterSet, "ISO_IR 192");
        ds.Add(DicomTag.ImageType, "ORIGINAL", "PRIMARY", "AXIAL");
        ds.Add(DicomTag.SOPClassUID, DicomUID.CTImageStorage);
        ds.Add(DicomTag.SOPInstanceUID, DicomUID.Generate());
        ds.Add(DicomTag.StudyDate, "20240102");
        ds.Add(DicomTag.Modality, "CT");
        ds.Add(DicomTag.Manufacturer, "Gädgetron Médical");
        ds.Add(DicomTag.PatientName, "Müller^Zoë");
        ds.Add(DicomTag.PatientID, "SYN-0001");
        ds.Add(DicomTag.PatientAge, "063Y");
        ds.Add(DicomTag.KVP, 120.0);
        ds.Add(DicomTag.SliceThickness, 0.625);
        ds.Add(DicomTag.StudyInstanceUID, DicomUID.Generate());
        ds.Add(DicomTag.SeriesInstanceUID, DicomUID.Generate());
        ds.Add(DicomTag.InstanceNumber, 7);
        ds.Add(DicomTag.ImagePositionPatient, -158.135803, -179.035797, -75.699997);
        ds.Add(DicomTag.ImageOrientationPatient, 1.0, 0.0, 0.0, 0.0, 1.0, 0.0);
        ds.Add(DicomTag.ImageComments, "A long comment\\with a backslash, which LT keeps as text.");
        ds.Add(DicomTag.FrameIncrementPointer, DicomTag.FrameTime);
        ds.Add(DicomTag.SamplesPerPixel, (ushort)1);
        ds.Add(DicomTag.PhotometricInterpretation, "MONOCHROME2");
        ds.Add(DicomTag.Rows, (ushort)rows);
        ds.Add(DicomTag.Columns, (ushort)columns);
        ds.Add(DicomTag.PixelSpacing, 0.5, 0.75);
        ds.Add(DicomTag.BitsAllocated, (ushort)16);
        ds.Add(DicomTag.BitsStored, (ushort)12);
        ds.Add(DicomTag.HighBit, (ushort)11);
        ds.Add(DicomTag.PixelRepresentation, (ushort)1);
        ds.Add(DicomTag.SmallestImagePixelValue, DicomVR.SS, (short)-2048);
        ds.Add(DicomTag.RescaleIntercept, -1024.0);
        ds.Add(DicomTag.RescaleSlope, 1.0);
        ds.Add(DicomTag.ReferencedImageSequence,
            new DicomDataset().Add(DicomTag.ReferencedSOPClassUID, DicomUID.CTImageStorage).Add(DicomTag.ReferencedSOPInstanceUID, "1.2.3.4"),
            new DicomDataset().Add(DicomTag.ReferencedSOPClassUID, DicomUID.CTImageStorage).Add(DicomTag.ReferencedSOPInstanceUID, "1.2.3.5")
                .Add(DicomTag.PurposeOfReferenceCodeSequence, new DicomDataset().Add(DicomTag.CodeValue, "121311").Add(DicomTag.CodeMeaning, "Localizer")));
        ds.Add(new DicomTag(0x0029, 0x0010), DicomVR.LO, "OSTEOML TEST");
        ds.Add(new DicomTag(0x0029, 0x1001), DicomVR.FD, 1.5, -2.25);
        ds.Add(new DicomTag(0x0029, 0x1002), DicomVR.UL, 4000000000u);
        ds.Add(new DicomTag(0x0029, 0x1003), DicomVR.OB, (byte)1, (byte)2, (byte)3);
        var pixels = new short[rows * columns];
        for (var i = 0; i < pixels.Length; i++)
            pixels[i] = (short)(i * 37 % 4096 - 2048);
        ds.Add(new DicomElement(DicomTag.PixelData, DicomVR.OW, System.Runtime.InteropServices.MemoryMarshal.AsBytes(pixels.AsSpan()).ToArray()));
        return ds;
    }

    /// <summary>A smooth HU volume with distinct values per voxel on an oblique, feet-first grid.</summary>
    public static Volume<float> ObliqueVolume(int x = 24, int y = 20, int z = 9)
    {
        var angle = 20 * Math.PI / 180;
        var i = new Vec3(Math.Cos(angle), Math.Sin(angle), 0);
        var j = new Vec3(-Math.Sin(angle), Math.Cos(angle), 0);
        var k = -i.Cross(j); // stored feet first: k runs against the normal
        var geometry = new VolumeGeometry(new Size3(x, y, z), new Vec3(0.7, 0.8, 2.5), new Vec3(-100.25, -80.5, 40), new Direction3(i, j, k));
        var volume = new Volume<float>(geometry);
        for (var zz = 0; zz < z; zz++)
        for (var yy = 0; yy < y; yy++)
        for (var xx = 0; xx < x; xx++)
            volume[xx, yy, zz] = -1000 + (xx * 13 + yy * 7 + zz * 101) % 2500;
        return volume;
    }
}
