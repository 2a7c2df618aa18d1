namespace OsteoML.Calibration;

/// <summary>Where a study's correction onto the global model's HU scale comes from, before any local QCT cases.</summary>
public enum CalibrationSource
{
    /// <summary>No correction: the global model as trained.</summary>
    Global,

    /// <summary>The scan's own reference tissues (air, fat, muscle, unenhanced blood) against literature values.</summary>
    Phantomless,

    /// <summary>The site's calibration-phantom scan at the study's kVp (asynchronous QCT).</summary>
    Phantom,
}
