using System.Runtime.InteropServices;
using OsteoML.Imaging;

namespace OsteoML.Dicom.Series;

/// <summary>What a written CT series says about its patient, study and scanner. UIDs left null are generated (2.25 form).</summary>
public sealed record CtSeriesDescription
{
    public string? StudyInstanceUid { get; init; }
    public string? SeriesInstanceUid { get; init; }
    public string? FrameOfReferenceUid { get; init; }
    /// <summary>Pseudonymous identifiers only: never a real patient's.</summary>
    public string PatientID { get; init; } = "ANON";
    public string PatientName { get; init; } = "Anonymous";
    public string StudyDate { get; init; } = "20240101";
    public string SeriesDescription { get; init; } = "";
    public int SeriesNumber { get; init; } = 1;
    public CtAcquisition Acquisition { get; init; } = new();
    /// <summary>Stored value = round((HU − intercept) / slope), as signed 16-bit.</summary>
    public double RescaleSlope { get; init; } = 1;
    public double RescaleIntercept { get; init; } = -1024;
    public DicomTransferSyntax TransferSyntax { get; init; } = DicomTransferSyntax.ExplicitVRLittleEndian;
}

/// <summary>
/// Writes a volume of Hounsfield units as a classic CT Image Storage series, one file per slice (the inverse of
/// <see cref="DicomStack.LoadVolume"/>): positions along the volume's k axis, orientation from its i and j axes.
/// </summary>
public static class CtSeriesWriter
{
    /// <returns>The files written, in slice order.</returns>
    public static IReadOnlyList<string> Write(Volume<float> hu, string directory, CtSeriesDescription? description = null)
    {
        var d = description ?? new CtSeriesDescription();
        Directory.CreateDirectory(directory);
        var study = d.StudyInstanceUid ?? DicomUID.Generate();
        var series = d.SeriesInstanceUid ?? DicomUID.Generate();
        var frameOfReference = d.FrameOfReferenceUid ?? DicomUID.Generate();
        var g = hu.Geometry;
        var files = new string[g.Size.Z];
        Parallel.For(0, g.Size.Z, z =>
        {
            var dataset = SliceDataset(hu, z, d, study, series, frameOfReference);
            var file = new DicomFile(dataset);
            if (d.TransferSyntax != DicomTransferSyntax.ExplicitVRLittleEndian)
                file = file.TransferSyntax.IsEncapsulated == d.TransferSyntax.IsEncapsulated ? WithSyntax(file, d.TransferSyntax) : file.Clone(d.TransferSyntax);
            var path = Path.Combine(directory, $"CT{z + 1:D4}.dcm");
            file.Save(path);
            files[z] = path;
        });
        return files;
    }

    private static DicomFile WithSyntax(DicomFile file, DicomTransferSyntax syntax)
    {
        file.Dataset.InternalTransferSyntax = syntax;
        return file;
    }

    private static DicomDataset SliceDataset(Volume<float> hu, int z, CtSeriesDescription d, string study, string series, string frameOfReference)
    {
        var g = hu.Geometry;
        var position = g.IndexToWorld(0, 0, z);
        var a = d.Acquisition;
        var ds = new DicomDataset();
        ds.Add(DicomTag.SpecificCharacterSet, "ISO_IR 192");
        string[] imageType = a.ImageType.Count > 0 ? [.. a.ImageType] : ["ORIGINAL", "PRIMARY", "AXIAL"];
        ds.Add(DicomTag.ImageType, imageType);
        ds.Add(DicomTag.SOPClassUID, DicomUID.CTImageStorage);
        ds.Add(DicomTag.SOPInstanceUID, DicomUID.Generate());
        ds.Add(DicomTag.StudyDate, d.StudyDate);
        ds.Add(DicomTag.Modality, "CT");
        AddIf(ds, DicomTag.Manufacturer, a.Manufacturer);
        AddIf(ds, DicomTag.InstitutionName, a.InstitutionName);
        AddIf(ds, DicomTag.StationName, a.StationName);
        ds.Add(DicomTag.SeriesDescription, d.SeriesDescription);
        AddIf(ds, DicomTag.ManufacturerModelName, a.ManufacturerModelName);
        ds.Add(DicomTag.PatientName, d.PatientName);
        ds.Add(DicomTag.PatientID, d.PatientID);
        AddIf(ds, DicomTag.PatientSex, a.PatientSex);
        AddIf(ds, DicomTag.PatientAge, a.PatientAge);
        AddIf(ds, DicomTag.ContrastBolusAgent, a.ContrastBolusAgent);
        AddIf(ds, DicomTag.BodyPartExamined, a.BodyPartExamined);
        ds.Add(DicomTag.SliceThickness, a.SliceThickness ?? g.Spacing.Z);
        if (a.KVP is { } kvp)
            ds.Add(DicomTag.KVP, kvp);
        AddIf(ds, DicomTag.DeviceSerialNumber, a.DeviceSerialNumber);
        AddIf(ds, DicomTag.ConvolutionKernel, a.ConvolutionKernel);
        ds.Add(DicomTag.StudyInstanceUID, study);
        ds.Add(DicomTag.SeriesInstanceUID, series);
        ds.Add(DicomTag.SeriesNumber, d.SeriesNumber);
        ds.Add(DicomTag.InstanceNumber, z + 1);
        ds.Add(DicomTag.ImagePositionPatient, position.X, position.Y, position.Z);
        ds.Add(DicomTag.ImageOrientationPatient, g.Direction.I.X, g.Direction.I.Y, g.Direction.I.Z, g.Direction.J.X, g.Direction.J.Y, g.Direction.J.Z);
        ds.Add(DicomTag.FrameOfReferenceUID, frameOfReference);
        ds.Add(DicomTag.SliceLocation, position.Dot(g.Direction.I.Cross(g.Direction.J)));
        ds.Add(DicomTag.SamplesPerPixel, (ushort)1);
        ds.Add(DicomTag.PhotometricInterpretation, "MONOCHROME2");
        ds.Add(DicomTag.Rows, (ushort)g.Size.Y);
        ds.Add(DicomTag.Columns, (ushort)g.Size.X);
        ds.Add(DicomTag.PixelSpacing, g.Spacing.Y, g.Spacing.X);
        ds.Add(DicomTag.BitsAllocated, (ushort)16);
        ds.Add(DicomTag.BitsStored, (ushort)16);
        ds.Add(DicomTag.HighBit, (ushort)15);
        ds.Add(DicomTag.PixelRepresentation, (ushort)1);
        ds.Add(DicomTag.RescaleIntercept, d.RescaleIntercept);
        ds.Add(DicomTag.RescaleSlope, d.RescaleSlope);
        ds.Add(DicomTag.RescaleType, "HU");

        var stored = new short[g.Size.X * g.Size.Y];
        StoreSlice(hu, z, d, stored);
        ds.Add(new DicomElement(DicomTag.PixelData, DicomVR.OW, MemoryMarshal.AsBytes(stored.AsSpan()).ToArray()));
        return ds;
    }

    /// <summary>One slice's HU as signed 16-bit stored values: round((HU − intercept) / slope), clamped.</summary>
    internal static void StoreSlice(Volume<float> hu, int z, CtSeriesDescription d, Span<short> stored)
    {
        var slice = hu.Slice(z);
        for (var i = 0; i < slice.Length; i++)
            stored[i] = (short)Math.Clamp(Math.Round((slice[i] - d.RescaleIntercept) / d.RescaleSlope), short.MinValue, short.MaxValue);
    }

    private static void AddIf(DicomDataset ds, DicomTag tag, string? value)
    {
        if (!string.IsNullOrEmpty(value))
            ds.Add(tag, value);
    }
}
