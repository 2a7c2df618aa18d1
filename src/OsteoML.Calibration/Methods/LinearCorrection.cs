namespace OsteoML.Calibration.Methods;

/// <summary>Least-squares line BMD = ŷ + a + β·(ŷ − c)/s; ten cases for its two free coefficients.</summary>
public sealed class LinearCorrection : DesignMatrixMethod
{
    public override CalibrationMethod Method => CalibrationMethod.Linear;
    public override int MinimumCases => 10;
    public override bool UsesTissues => false;
    protected override bool IsShrinkage => false;
    protected override int Width(int tissues) => 2;
}
