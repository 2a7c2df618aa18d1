using Microsoft.ML.OnnxRuntime;

namespace OsteoML.Inference;

/// <summary>
/// Opens ONNX Runtime sessions on the CPU. The first call creates the process-wide OrtEnv with a FATAL log level,
/// before anything else touches ONNX Runtime, so the GPU build does not print its "failed to load the CUDA
/// provider" errors on CPU hosts.
/// </summary>
public static class OnnxRuntimeSessions
{
    private static readonly Lock Gate = new();

    public static InferenceSession Open(byte[] model, int threads = 0)
    {
        EnsureQuietEnvironment();
        using var options = new SessionOptions
        {
            IntraOpNumThreads = threads,
            InterOpNumThreads = 1,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        return new InferenceSession(model, options);
    }

    public static InferenceSession Open(string path, int threads = 0) => Open(File.ReadAllBytes(path), threads);

    private static void EnsureQuietEnvironment()
    {
        lock (Gate)
        {
            if (OrtEnv.IsCreated)
                return;
            var options = new EnvironmentCreationOptions { logLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL, logId = "osteoml" };
            OrtEnv.CreateInstanceWithOptions(ref options);
        }
    }
}
