namespace OsteoML.Calibration;

/// <summary>No correction: every study keeps the ideal scale, so the global model's prediction is unchanged.</summary>
public sealed class GlobalScanCalibration : IScanCalibration
{
    public CalibrationSource Source => CalibrationSource.Global;

    public ScanCalibrationEstimate Estimate(ScanContext scan) => new(Source, HuScale.Ideal, "global model");
}
