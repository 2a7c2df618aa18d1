namespace OsteoML.Calibration.Methods;

/// <summary>The registry of BMD calibration methods, simplest first (the order the one-standard-error rule prefers).</summary>
public static class CalibrationMethods
{
    public static IReadOnlyList<ICalibrationMethod> All { get; } =
    [
        new NoCorrection(),
        new OffsetCorrection(),
        new ShrinkageCorrection(),
        new LinearCorrection(),
        new ShrinkageWithTissuesCorrection(),
        new LinearWithTissuesCorrection(),
    ];

    private static readonly Dictionary<CalibrationMethod, ICalibrationMethod> ByName = All.ToDictionary(m => m.Method);

    /// <exception cref="NotSupportedException">A profile names a method this version does not have.</exception>
    public static ICalibrationMethod Get(CalibrationMethod method) =>
        ByName.TryGetValue(method, out var found) ? found
            : throw new NotSupportedException($"calibration method '{method}' is not known to this version of OsteoML.");
}
