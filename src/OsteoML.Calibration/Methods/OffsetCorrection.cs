namespace OsteoML.Calibration.Methods;

/// <summary>BMD = ŷ + a: one constant, fitted from as few as five cases.</summary>
public sealed class OffsetCorrection : DesignMatrixMethod
{
    public override CalibrationMethod Method => CalibrationMethod.Offset;
    public override int MinimumCases => 5;
    public override bool UsesTissues => false;
    protected override bool IsShrinkage => false;
    protected override int Width(int tissues) => 1;
}
