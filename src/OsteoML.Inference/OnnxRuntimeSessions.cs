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

    /// <summary>
    /// A session on CUDA device <paramref name="cudaDeviceId"/> when given and usable, else on the CPU; when CUDA was
    /// asked for but could not be used, <paramref name="fallbackNotice"/> says why in one line.
    /// </summary>
    public static InferenceSession Open(byte[] model, int threads, int? cudaDeviceId, out string? fallbackNotice)
    {
        fallbackNotice = null;
        if (cudaDeviceId is { } device)
        {
            EnsureQuietEnvironment();
            try
            {
                using var options = SessionOptions.MakeSessionOptionWithCudaProvider(device);
                options.IntraOpNumThreads = threads;
                options.InterOpNumThreads = 1;
                options.LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL;
                options.GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL;
                return new InferenceSession(model, options);
            }
            catch (Exception ex) when (ex is OnnxRuntimeException or DllNotFoundException or EntryPointNotFoundException)
            {
                fallbackNotice = $"CUDA device {device} is not usable ({FirstLine(ex.Message)}); running on the CPU.";
            }
        }
        return Open(model, threads);
    }

    private static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();

    /// <summary>Creates the process-wide OrtEnv at FATAL log level if nothing has yet (call before ML.NET's ApplyOnnxModel).</summary>
    public static void EnsureQuietEnvironment()
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
