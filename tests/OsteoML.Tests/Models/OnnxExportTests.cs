using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using OsteoML.Inference;
using OsteoML.Models.Networks;
using OsteoML.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

namespace OsteoML.Tests.Models;

/// <summary>
/// Our ONNX export against TorchSharp's own forward pass (ONNX Runtime as the independent executor) and against
/// the ONNX project's checker (Debian's python3-onnx).
/// </summary>
[TestClass]
public sealed class OnnxExportTests
{
    private static readonly VBNetOptions TinyVBNet = new() { Widths = [4, 8, 16], EncoderBlocks = [1, 1, 1], DecoderBlocks = [1, 1] };
    private static readonly DenseNetOptions TinyDenseNet = new() { InitialFeatures = 8, GrowthRate = 4, BlockLayers = [2, 2] };

    [TestMethod]
    public void VBNet_export_matches_TorchSharp_in_OnnxRuntime()
    {
        torch.manual_seed(1);
        using var net = new VBNetLite(TinyVBNet);
        Randomise(net);
        net.eval();
        var input = torch.randn([2, 1, 16, 24, 8]);
        using var expected = torch.nn.functional.softmax(net.forward(input), 1);

        var actual = RunOnnx(net.ExportOnnx("test").ToBytes(), VBNetLite.InputName, input);
        AssertClose(expected, actual);
    }

    [TestMethod]
    public void DenseNet_export_matches_TorchSharp_in_OnnxRuntime()
    {
        torch.manual_seed(2);
        using var net = new DenseNetLite(TinyDenseNet);
        Randomise(net);
        net.eval();
        int[] crop = [8, 12, 16];
        var input = torch.randn([1, 2, crop[0], crop[1], crop[2]]);
        using var expected = net.forward(input);
        Assert.AreEqual(TinyDenseNet.FeatureCount, (int)expected.shape[1]);

        var actual = RunOnnx(net.ExportOnnx(crop, "test").ToBytes(), DenseNetLite.InputName, input);
        AssertClose(expected, actual);
    }

    [TestMethod]
    public void Exported_models_pass_the_onnx_checker()
    {
        var dir = TestPaths.NewTempDirectory();
        using var vbnet = new VBNetLite(TinyVBNet);
        using var densenet = new DenseNetLite(TinyDenseNet);
        var paths = new[] { Path.Combine(dir, "vbnet.onnx"), Path.Combine(dir, "densenet.onnx") };
        File.WriteAllBytes(paths[0], vbnet.ExportOnnx("test").ToBytes());
        File.WriteAllBytes(paths[1], densenet.ExportOnnx([8, 8, 8], "test").ToBytes());
        ExternalTool.Python("""
            import sys, onnx
            for p in sys.argv[1:]:
                m = onnx.load(p)
                onnx.checker.check_model(m, full_check=True)
                assert m.opset_import[0].version == 17, m.opset_import
                print(p, [n.op_type for n in m.graph.node][:3])
            """, paths).EnsureSuccess("onnx.checker");
    }

    /// <summary>Non-trivial batch-norm statistics and affine parameters, so folding them is really tested.</summary>
    internal static void Randomise(nn.Module module)
    {
        using var _ = torch.no_grad();
        foreach (var (name, buffer) in module.named_buffers())
        {
            if (name.EndsWith("running_mean"))
                buffer.copy_(torch.randn(buffer.shape) * 0.3);
            else if (name.EndsWith("running_var"))
                buffer.copy_(torch.rand(buffer.shape) + 0.5);
        }
        foreach (var (name, parameter) in module.named_parameters())
        {
            if (parameter.dim() == 1)
                parameter.copy_(name.EndsWith("weight") ? torch.rand(parameter.shape) + 0.5 : torch.randn(parameter.shape) * 0.2);
        }
    }

    internal static float[] RunOnnx(byte[] model, string inputName, Tensor input)
    {
        using var session = OnnxRuntimeSessions.Open(model, threads: 1);
        var data = input.contiguous().data<float>().ToArray();
        var dense = new DenseTensor<float>(data, input.shape.Select(d => (int)d).ToArray());
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(inputName, dense)]);
        return results.Single().AsEnumerable<float>().ToArray();
    }

    /// <summary>Relative error ≤ 1e-4, relative to the largest magnitude of the expected output.</summary>
    internal static void AssertClose(Tensor expected, float[] actual)
    {
        var want = expected.detach().contiguous().data<float>().ToArray();
        Assert.HasCount(want.Length, actual);
        var scale = want.Max(Math.Abs);
        Assert.IsGreaterThan(0f, scale);
        var worst = want.Zip(actual, (a, b) => Math.Abs(a - b)).Max() / scale;
        Assert.IsLessThanOrEqualTo(1e-4, worst, $"max |ONNX − TorchSharp| / max |TorchSharp| = {worst:E2}");
    }
}
