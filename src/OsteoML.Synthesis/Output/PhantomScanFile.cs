namespace OsteoML.Synthesis.Output;

/// <summary>One phantom scan written: which scanner and kVp, where, and the calibration it was rendered with.</summary>
public sealed record PhantomScanFile(string HospitalId, string ScannerId, int Kvp, string Directory, double GainError, double OffsetHu);
