namespace OsteoML.Pipelines.Trends;

/// <summary>Whether the patient's studies came from one scanner, and if not, whether site calibration put them on one scale.</summary>
public enum ScannerChange
{
    /// <summary>Every study on the same scanner (site key): scanner bias cancels in the change.</summary>
    None,
    /// <summary>Scanners changed, and every study had its site's calibration profile applied.</summary>
    Calibrated,
    /// <summary>Scanners changed and at least one study had no site profile: part of the change may be the scanners' difference.</summary>
    Uncalibrated,
}
