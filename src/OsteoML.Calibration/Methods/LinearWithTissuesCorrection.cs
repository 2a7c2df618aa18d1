namespace OsteoML.Calibration.Methods;

/// <summary>The free line with the four reference-tissue HUs as covariates; twenty cases for its six coefficients.</summary>
public sealed class LinearWithTissuesCorrection : DesignMatrixMethod
{
    public override CalibrationMethod Method => CalibrationMethod.LinearWithTissues;
    public override int MinimumCases => 20;
    public override bool UsesTissues => true;
    protected override bool IsShrinkage => false;
    protected override int Width(int tissues) => 2 + tissues;
}
