namespace OsteoML.Dicom.Derived;

/// <summary>
/// Writes an 8-bit RGB picture as a Secondary Capture Image (SC Image IOD, PS3.3 §A.8.1; SC Image Storage) — the object
/// every PACS viewer displays. Conversion type WSD (workstation): the picture is rendered by software, not digitised.
/// </summary>
public static class SecondaryCaptureWriter
{
    /// <param name="rgb">Width × height pixels, R G B interleaved, rows top to bottom.</param>
    /// <param name="sources">Images the picture was derived from (Source Image Sequence); may be empty.</param>
    public static DicomDataset Create(DicomDataset sourceHeader, DerivedInstance instance, int width, int height, byte[] rgb,
        IReadOnlyList<SourceImage> sources, string derivationDescription)
    {
        if (width is < 1 or > ushort.MaxValue || height is < 1 or > ushort.MaxValue || rgb.Length != width * height * 3)
            throw new ArgumentException($"an RGB picture of {width}×{height} needs {width * height * 3} bytes, got {rgb.Length}.");
        var ds = DerivedHeader.Create(sourceHeader, instance);
        ds.Add(DicomTag.ImageType, "DERIVED", "SECONDARY");
        // The picture shows the lumbar spine, an unpaired structure: saying so settles Laterality (Type 2C), which is then absent.
        ds.Add(DicomTag.BodyPartExamined, "LSPINE");
        ds.Add(DicomTag.ConversionType, "WSD");
        ds.Add(DicomTag.DerivationDescription, derivationDescription);
        if (sources.Count > 0)
            ds.Add(DicomTag.SourceImageSequence, [.. sources.Select(s => s.ToDataset())]);
        // The picture carries no patient identity (no name, ID or birth date is drawn).
        ds.Add(DicomTag.BurnedInAnnotation, "NO");
        ds.Add(DicomTag.LossyImageCompression, "00");
        // Type 2C (General Image): required without Image Orientation; a reformat panel has no single orientation.
        ds.Add(DicomTag.PatientOrientation, Array.Empty<string>());
        ds.Add(DicomTag.SamplesPerPixel, (ushort)3);
        ds.Add(DicomTag.PhotometricInterpretation, "RGB");
        ds.Add(DicomTag.PlanarConfiguration, (ushort)0);
        ds.Add(DicomTag.Rows, (ushort)height);
        ds.Add(DicomTag.Columns, (ushort)width);
        ds.Add(DicomTag.BitsAllocated, (ushort)8);
        ds.Add(DicomTag.BitsStored, (ushort)8);
        ds.Add(DicomTag.HighBit, (ushort)7);
        ds.Add(DicomTag.PixelRepresentation, (ushort)0);
        ds.Add(new DicomElement(DicomTag.PixelData, DicomVR.OB, rgb.Length % 2 == 0 ? rgb : [.. rgb, 0]));
        return ds;
    }
}
