namespace OsteoML.Calibration;

/// <summary>A per-study calibration's answer: the scanner's HU scale for this study, or why there is none.</summary>
public sealed record ScanCalibrationEstimate(CalibrationSource Source, HuScale? Scale, string Note)
{
    public bool Applicable => Scale is not null;
}
