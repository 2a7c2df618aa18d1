namespace OsteoML.Dicom.Web;

/// <summary>One study a QIDO-RS search returned: identifiers and counts only, no patient attributes.</summary>
public sealed record DicomWebStudy(string StudyInstanceUid, string? StudyDate, IReadOnlyList<string> Modalities, int? Instances);
