namespace OsteoML.Calibration.Methods;

/// <summary>Keeps the global model's BMD: the baseline every other method must beat by more than its standard error.</summary>
public sealed class NoCorrection : DesignMatrixMethod
{
    public override CalibrationMethod Method => CalibrationMethod.None;
    public override int MinimumCases => 5;
    public override bool UsesTissues => false;
    protected override bool IsShrinkage => false;
    protected override int Width(int tissues) => 0;
}
