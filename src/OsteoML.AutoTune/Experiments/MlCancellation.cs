using System.Reflection;
using Microsoft.ML;

namespace OsteoML.AutoTune.Experiments;

/// <summary>
/// Stops training in progress on an <see cref="MLContext"/>. ML.NET can cancel a running Fit (its trainers poll
/// the host between iterations) but exposes that only through the internal <c>ICancelable</c> interface that
/// MLContext implements (a non-public <c>CancelExecution</c> method) — AutoML reaches it as a friend assembly; we
/// call it by reflection. Without it a cancellation would only take effect between folds.
/// </summary>
internal static class MlCancellation
{
    private static readonly MethodInfo? CancelExecution =
        typeof(MLContext).GetMethod("CancelExecution", BindingFlags.Instance | BindingFlags.NonPublic, Type.EmptyTypes);

    /// <summary>True when this ML.NET build offers in-flight cancellation.</summary>
    public static bool Supported => CancelExecution is not null;

    public static void Cancel(MLContext ml) => CancelExecution?.Invoke(ml, null);
}
