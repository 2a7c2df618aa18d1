namespace OsteoML.Pipelines.Fractures;

/// <summary>Settings of <see cref="VertebralHeights"/>.</summary>
public sealed record VertebralHeightOptions
{
    /// <summary>Anterior and posterior heights are read this fraction of the body's depth inside its walls, as
    /// six-point morphometry places its corner points just inside the rounded rims.</summary>
    public double WallInsetFraction { get; init; } = 0.1;

    /// <summary>Cortical endplate thickness added at each end of a trabecular-core height, mm. The synthetic
    /// generator's endplates average ≈ 0.8 mm (shell 0.25–1.2 mm × 1.1–1.5); real lumbar endplates are likewise
    /// under a millimetre thick. Thicker, sclerotic endplates of a fracture make its height read short by the excess.</summary>
    public double EndplateMm { get; init; } = 0.8;

    /// <summary>Rays cast per height site: 2n+1 across (left–right) by 3 front to back, <see cref="RaySpacingMm"/>
    /// apart around the site, averaged against the voxel staircase of a tilted body.</summary>
    public int RayHalfCount { get; init; } = 2;
    public double RaySpacingMm { get; init; } = 1.0;

    /// <summary>A wall is where the mid-sagittal height profile first (anterior) and last (posterior) reaches this
    /// fraction of its maximum: below a severe wedge's 45 % anterior height, above a sheared corner's sliver.</summary>
    public double WallHeightFraction { get; init; } = 0.35;

    /// <summary>Spacing of the height profile across the depth, mm.</summary>
    public double ProfileStepMm { get; init; } = 0.5;

    /// <summary>Sampling step along a ray, mm (a tenth of a millimetre keeps the sampling error far below a voxel).</summary>
    public double StepMm { get; init; } = 0.1;

    /// <summary>Runs of mask along a ray separated by at most this gap are one body (a Schmorl node or a dense focus
    /// inside the body is not trabecular bone but still body).</summary>
    public double MaxGapMm { get; init; } = 3.0;

    /// <summary>Rays reach this far either side of the body's centroid, mm: beyond any adult body's half-height.</summary>
    public double ReachMm { get; init; } = 40;
}
