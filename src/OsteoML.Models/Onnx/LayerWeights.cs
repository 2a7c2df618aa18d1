namespace OsteoML.Models.Onnx;

/// <summary>
/// Weights of a cubic-kernel 3D convolution, row-major as PyTorch and ONNX store them: (out, in, k, k, k) for a
/// convolution, (in, out, k, k, k) for a transposed one.
/// </summary>
public sealed record ConvWeights(int OutChannels, int InChannels, int KernelSize, float[] Weight, float[]? Bias);

/// <summary>Inference-mode batch normalisation: y = Gamma · (x − Mean) / √(Var + Epsilon) + Beta, per channel.</summary>
public sealed record BatchNormWeights(float[] Gamma, float[] Beta, float[] Mean, float[] Var, double Epsilon);

/// <summary>Folding an inference-mode batch normalisation into the convolution before it (exact: both are affine per output channel).</summary>
public static class BatchNormFolding
{
    /// <summary>Conv then BN → one Conv: w′ = w·s, b′ = (b − μ)·s + β with s = γ / √(σ² + ε), per output channel.</summary>
    public static ConvWeights Fold(ConvWeights conv, BatchNormWeights bn, bool transposed = false)
    {
        if (bn.Mean.Length != conv.OutChannels)
            throw new ArgumentException($"batch norm over {bn.Mean.Length} channels cannot follow a convolution with {conv.OutChannels} outputs");
        var scale = new double[conv.OutChannels];
        var bias = new float[conv.OutChannels];
        for (var o = 0; o < conv.OutChannels; o++)
        {
            scale[o] = bn.Gamma[o] / Math.Sqrt(bn.Var[o] + bn.Epsilon);
            var b = conv.Bias?[o] ?? 0f;
            bias[o] = (float)((b - bn.Mean[o]) * scale[o] + bn.Beta[o]);
        }

        var k3 = conv.KernelSize * conv.KernelSize * conv.KernelSize;
        var weight = new float[conv.Weight.Length];
        for (var i = 0; i < weight.Length; i++)
        {
            // Output channel of weight element i: axis 0 for a convolution, axis 1 for a transposed one.
            var o = transposed ? i / k3 % conv.OutChannels : i / (k3 * conv.InChannels);
            weight[i] = (float)(conv.Weight[i] * scale[o]);
        }
        return conv with { Weight = weight, Bias = bias };
    }
}
