using System.Reflection;

namespace OsteoML.Cli;

/// <summary>Our version and the versions of the engines a result depends on, for reports and bug reports.</summary>
public static class VersionInfo
{
    public static string OsteoML => InformationalVersion(typeof(VersionInfo).Assembly);
    public static string MLNet => InformationalVersion(typeof(Microsoft.ML.MLContext).Assembly);

    /// <summary>Version of the managed ONNX Runtime binding, which is released in lockstep with the native library.</summary>
    public static string OnnxRuntime => InformationalVersion(typeof(Microsoft.ML.OnnxRuntime.InferenceSession).Assembly);

    public static string Line => $"osteoml {OsteoML} (ML.NET {MLNet}, ONNX Runtime {OnnxRuntime}, .NET {Environment.Version})";

    /// <summary>"1.2.3+commit" → "1.2.3": the build metadata is noise in a version line.</summary>
    internal static string InformationalVersion(Assembly assembly) => Pipelines.Screening.ResultProvenance.VersionOf(assembly);
}
