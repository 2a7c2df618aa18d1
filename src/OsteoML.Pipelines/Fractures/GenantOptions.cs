namespace OsteoML.Pipelines.Fractures;

/// <summary>Settings of <see cref="GenantGrader"/> and the refusals of <see cref="VertebralFractures"/>.</summary>
public sealed record GenantOptions
{
    /// <summary>Genant's grade boundaries on the height loss: grade 1 from 20 %, 2 from 25 %, 3 above 40 %.</summary>
    public double Grade1Loss { get; init; } = 0.20;
    public double Grade2Loss { get; init; } = 0.25;
    public double Grade3Loss { get; init; } = 0.40;

    /// <summary>
    /// A normal body's middle height as a fraction of its posterior height: the endplates are concave, so the middle is
    /// shorter without any fracture. Genant's biconcave loss is the middle's shortfall against this, not against 1.
    /// 0.94 is the median measured on 1,024 normal bodies of the first 200 cases of the synthetic <c>paper</c> train
    /// split at ≤ 3 mm (true masks; the painted bodies' own ratio is 0.93).
    /// </summary>
    public double NormalMiddleRatio { get; init; } = 0.94;

    /// <summary>Neighbours consulted on each side for the crush reference (the nearest measurable ones).</summary>
    public int NeighboursPerSide { get; init; } = 2;

    /// <summary>Slices thicker than this are refused (as for the density measurement).</summary>
    public double MaxSliceThicknessMm { get; init; } = 3;

    /// <summary>Mean trabecular probability inside a body below which its mask is in doubt.</summary>
    public double MinimumBodyProbability { get; init; } = 0.75;

    /// <summary>Trabecular cores smaller than this (cm³) are not a whole adult T10–L5 body.</summary>
    public double MinimumBodyCm3 { get; init; } = 3;
}
