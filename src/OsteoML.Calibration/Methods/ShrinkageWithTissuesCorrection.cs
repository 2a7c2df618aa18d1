namespace OsteoML.Calibration.Methods;

/// <summary>The shrunk line with the four reference-tissue HUs (air, fat, muscle, blood) as covariates: phantomless drift of the HU scale.</summary>
public sealed class ShrinkageWithTissuesCorrection : DesignMatrixMethod
{
    public override CalibrationMethod Method => CalibrationMethod.ShrinkageWithTissues;
    public override int MinimumCases => 10;
    public override bool UsesTissues => true;
    protected override bool IsShrinkage => true;
    protected override int Width(int tissues) => 2 + tissues;
}
