namespace OsteoML.Calibration.Methods;

/// <summary>A line shrunk toward the global model (ridge prior strength chosen by leave-one-out), safe from five cases.</summary>
public sealed class ShrinkageCorrection : DesignMatrixMethod
{
    public override CalibrationMethod Method => CalibrationMethod.Shrinkage;
    public override int MinimumCases => 5;
    public override bool UsesTissues => false;
    protected override bool IsShrinkage => true;
    protected override int Width(int tissues) => 2;
}
