namespace OsteoML.Dicom.Seg;

/// <summary>Segment Algorithm Type (0062,0008), PS3.3 §C.8.20.2.3.</summary>
public enum SegmentAlgorithmType
{
    Automatic,
    SemiAutomatic,
    Manual,
}
