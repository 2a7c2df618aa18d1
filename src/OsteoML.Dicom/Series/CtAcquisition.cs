namespace OsteoML.Dicom.Series;

/// <summary>
/// The scanner, site and acquisition attributes later stages need (site calibration keys on the scanner; QA on
/// kernel, kVp and contrast). Values as one file of the series gives them (the first the scan parsed); null when absent.
/// </summary>
public sealed record CtAcquisition
{
    public string? Manufacturer { get; init; }
    public string? ManufacturerModelName { get; init; }
    public string? InstitutionName { get; init; }
    public string? StationName { get; init; }
    public string? DeviceSerialNumber { get; init; }
    /// <summary>Peak kilovoltage (0018,0060).</summary>
    public double? KVP { get; init; }
    public string? ConvolutionKernel { get; init; }
    public double? SliceThickness { get; init; }
    public string? ContrastBolusAgent { get; init; }
    public IReadOnlyList<string> ImageType { get; init; } = [];
    public string? BodyPartExamined { get; init; }
    /// <summary>Age string as in the file, e.g. "063Y" (PS3.5 AS).</summary>
    public string? PatientAge { get; init; }
    public string? PatientSex { get; init; }

    /// <summary>Reads the attributes from a dataset (enhanced CT keeps some of them in functional groups: those are read too).</summary>
    public static CtAcquisition From(DicomDataset dataset)
    {
        var ctAcquisition = DicomPixelData.FunctionalGroup(dataset, 0, DicomTag.CTAcquisitionDetailsSequence);
        var ctReconstruction = DicomPixelData.FunctionalGroup(dataset, 0, DicomTag.CTReconstructionSequence);
        var ctXray = DicomPixelData.FunctionalGroup(dataset, 0, DicomTag.CTXRayDetailsSequence);
        var measures = DicomPixelData.FunctionalGroup(dataset, 0, DicomTag.PixelMeasuresSequence);
        return new CtAcquisition
        {
            Manufacturer = dataset.GetStringOrDefault(DicomTag.Manufacturer),
            ManufacturerModelName = dataset.GetStringOrDefault(DicomTag.ManufacturerModelName),
            InstitutionName = dataset.GetStringOrDefault(DicomTag.InstitutionName),
            StationName = dataset.GetStringOrDefault(DicomTag.StationName),
            DeviceSerialNumber = dataset.GetStringOrDefault(DicomTag.DeviceSerialNumber),
            KVP = Number(dataset, DicomTag.KVP) ?? (ctXray is null ? null : Number(ctXray, DicomTag.KVP)) ?? (ctAcquisition is null ? null : Number(ctAcquisition, DicomTag.KVP)),
            ConvolutionKernel = dataset.GetStringOrDefault(DicomTag.ConvolutionKernel) ?? ctReconstruction?.GetStringOrDefault(DicomTag.ConvolutionKernel),
            SliceThickness = Number(dataset, DicomTag.SliceThickness) ?? (measures is null ? null : Number(measures, DicomTag.SliceThickness)),
            ContrastBolusAgent = dataset.GetStringOrDefault(DicomTag.ContrastBolusAgent),
            ImageType = dataset.TryGetValues<string>(DicomTag.ImageType, out var imageType) ? imageType : [],
            BodyPartExamined = dataset.GetStringOrDefault(DicomTag.BodyPartExamined),
            PatientAge = dataset.GetStringOrDefault(DicomTag.PatientAge),
            PatientSex = dataset.GetStringOrDefault(DicomTag.PatientSex),
        };
    }

    private static double? Number(DicomDataset dataset, DicomTag tag) =>
        dataset.TryGetSingleValue<double>(tag, out var value) ? value : null;
}
