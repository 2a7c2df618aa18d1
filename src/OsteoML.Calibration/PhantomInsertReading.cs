namespace OsteoML.Calibration;

/// <summary>One insert of a phantom scan: its nominal density, what it read, and its residual from the fitted line.</summary>
/// <param name="DensityMgCm3">Nominal mineral density (mg/cm³ of the phantom's reference material; 0 for water).</param>
/// <param name="MeasuredHu">Robust mean HU of the insert's core over the scan's slices.</param>
/// <param name="ResidualMgCm3">Measured minus fitted, converted to density through the fitted slope.</param>
public sealed record PhantomInsertReading(string Name, double DensityMgCm3, double MeasuredHu, double SdHu, int Voxels, double ResidualMgCm3);
