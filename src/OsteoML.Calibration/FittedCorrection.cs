namespace OsteoML.Calibration;

/// <summary>A fitted BMD map, and whether its slope had to be pinned at a cap (<see cref="BmdCorrection.MinimumSlope"/>, <see cref="BmdCorrection.MaximumSlope"/>).</summary>
public sealed record FittedCorrection(BmdCorrection Correction, bool SlopeCapped);
