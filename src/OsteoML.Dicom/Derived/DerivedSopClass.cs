namespace OsteoML.Dicom.Derived;

/// <summary>The SOP classes of the objects derived from a screened CT (PS3.4 Annex B.5).</summary>
public static class DerivedSopClass
{
    public const string ComprehensiveSRStorage = "1.2.840.10008.5.1.4.1.1.88.33";
    public const string SegmentationStorage = "1.2.840.10008.5.1.4.1.1.66.4";
    public const string SecondaryCaptureImageStorage = DicomUID.SecondaryCaptureImageStorage;
}
