namespace OsteoML.Calibration.Methods;

/// <summary>
/// One candidate BMD map of a site calibration: how it is fitted to a site's QCT-labelled cases and what correction
/// it adds to the global model's BMD. The site calibrator scores every method the site's case count allows by
/// leave-one-out error and keeps the simplest that is as good as the best (<see cref="SiteCalibrator"/>). A new method is
/// one class here, an entry in <see cref="CalibrationMethods"/> and its <see cref="CalibrationMethod"/> name (the value
/// profiles store).
/// </summary>
public interface ICalibrationMethod
{
    /// <summary>The name a fitted profile records (<see cref="BmdCorrection.Method"/>).</summary>
    CalibrationMethod Method { get; }

    /// <summary>Fewest cases it may be fitted from (about four per free coefficient).</summary>
    int MinimumCases { get; }

    /// <summary>Whether it needs the four reference-tissue HUs of every case.</summary>
    bool UsesTissues { get; }

    /// <summary>Fits the map to <paramref name="cases"/>; a shrinkage method chooses its prior strength by leave-one-out unless given one.</summary>
    FittedCorrection Fit(IReadOnlyList<CalibrationCase> cases, double? priorStrength = null);

    /// <summary>The correction <paramref name="fitted"/> adds to <paramref name="globalBmd"/>, before the ±cap of <see cref="BmdCorrection.MaxCorrection"/>.</summary>
    double Correction(BmdCorrection fitted, double globalBmd, IReadOnlyList<double>? tissues);
}
