namespace OsteoML.Calibration;

/// <summary>
/// One way to estimate a study's CT-number scale without local QCT cases (global model, the scan's own tissues, a
/// phantom scan of its scanner). Implementations are stateless apart from what they were built with and are chosen by
/// <see cref="CalibrationSource"/> in <see cref="ScanCalibrations"/>.
/// </summary>
public interface IScanCalibration
{
    CalibrationSource Source { get; }

    ScanCalibrationEstimate Estimate(ScanContext scan);
}
