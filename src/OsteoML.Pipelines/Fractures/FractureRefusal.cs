namespace OsteoML.Pipelines.Fractures;

/// <summary>Why a level's heights are not graded (its <c>genantGrade</c> is null).</summary>
public enum FractureRefusal
{
    /// <summary>The body touches the first or last slice: a height cut by the scan's edge reads short.</summary>
    CutByScanEdge,
    /// <summary>Slices thicker than 3 mm blur the endplates over more than a tenth of a body's height.</summary>
    SliceThicknessOver3Mm,
    /// <summary>The level count itself is in doubt (a body may be missed or two fused), so the neighbours are too.</summary>
    UncertainLevels,
    /// <summary>The network was unsure inside the body, the body is implausibly small, or the rays missed it.</summary>
    SegmentationDoubt,
}
