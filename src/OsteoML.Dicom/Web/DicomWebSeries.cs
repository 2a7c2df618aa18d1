namespace OsteoML.Dicom.Web;

/// <summary>One series a QIDO-RS series search returned: its UID, modality and instance count.</summary>
public sealed record DicomWebSeries(string SeriesInstanceUid, string? Modality, int? Instances);
