using System.CommandLine;

namespace OsteoML.Cli.Commands;

/// <summary><c>osteoml calibrate</c>: fit a per-site calibration profile from local QCT-labelled cases.</summary>
internal static class CalibrateCommand
{
    public static Command Create(CliContext context) =>
        PendingCommand.Create("calibrate", "Fit a per-site calibration profile from local QCT-labelled cases.", "Tuning and site calibration", context);
}
