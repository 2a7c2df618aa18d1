namespace OsteoML.Pipelines.Measurement;

/// <summary>
/// The quality flags a result can carry (issue "screening pipeline", item 4), as the snake_case words written in
/// results.csv (';'-separated) and JSON. The first two stop a measurement; the others qualify it.
/// </summary>
public static class QaFlags
{
    /// <summary>L1 or L2 missing or cut by the scan's edge: no BMD.</summary>
    public const string L1L2NotCovered = "l1_l2_not_covered";

    /// <summary>No rib-bearing vertebra to count from, or a vertebra may be missed: no BMD.</summary>
    public const string UncertainLevelIdentification = "uncertain_level_identification";

    /// <summary>Mean trabecular probability inside L1/L2 below the threshold, or an implausible body volume.</summary>
    public const string LowSegmentationConfidence = "low_segmentation_confidence";

    /// <summary>T12 found from weak rib evidence: measured, but a reader should check the level naming on the QA image.</summary>
    public const string WeakRibAnchor = "weak_rib_anchor";

    public const string SliceThicknessOver3Mm = "slice_thickness_over_3mm";

    /// <summary>Aortic blood brighter than unenhanced blood can be, or a ContrastBolusAgent in the header.</summary>
    public const string ContrastSuspected = "contrast_suspected";

    /// <summary>Voxels above the metal threshold in the vertebrae's box (screws, cages, vertebroplasty cement).</summary>
    public const string MetalOrImplant = "metal_or_implant";

    public const string GantryTilt = "gantry_tilt";

    /// <summary>Files in the series' folder could not be read (empty, truncated, not regular files): the series may be incomplete.</summary>
    public const string UnreadableFiles = "unreadable_files";

    public static IReadOnlyList<string> All { get; } =
        [L1L2NotCovered, UncertainLevelIdentification, LowSegmentationConfidence, WeakRibAnchor, SliceThicknessOver3Mm, ContrastSuspected, MetalOrImplant, GantryTilt, UnreadableFiles];

    /// <summary>Flags that leave no measurement: the levels themselves are not known.</summary>
    public static bool Blocks(string flag) => flag is L1L2NotCovered or UncertainLevelIdentification;
}
