namespace OsteoML.Domain;

/// <summary>How a multilabel vertebra map numbers its levels.</summary>
public enum VertebraLabelScheme
{
    /// <summary>TotalSegmentator's <c>total</c> task (v2): 26 S1, 27 L5, 28 L4, 29 L3, 30 L2, 31 L1, 32 T12 … 43 T1, 44 C7 … 50 C1.</summary>
    TotalSegmentator,
    /// <summary>VerSe (also TotalSegmentator's <c>vertebrae_pp_refined</c>): 1–7 C1–C7, 8–19 T1–T12, 20–24 L1–L5, 25 L6, 26 sacrum, 28 T13.</summary>
    Verse,
    /// <summary>A folder with one binary NIfTI per level named <c>vertebrae_L1.nii.gz</c> etc. (TotalSegmentator without <c>--ml</c>).</summary>
    Files,
}
