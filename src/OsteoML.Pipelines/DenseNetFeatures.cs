using Microsoft.ML;
using Microsoft.ML.Transforms.Onnx;
using OsteoML.Inference;
using OsteoML.Pipelines.Features;

namespace OsteoML.Pipelines;

/// <summary>
/// The DenseNet-lite feature extractor: the L1–L2 crop (<see cref="CropL1L2Factory"/>), then ML.NET's own
/// ApplyOnnxModel on it: the crop is copied to the ONNX input's name, the model's output copied to <c>DenseNetFeatures</c>, and the scratch columns dropped. The ONNX
/// bytes are stored inside the saved ML.NET model. ApplyOnnxModel runs one row at a time (batch 1, fixed shapes), which
/// is what the exported DenseNet declares; options go through <see cref="OnnxOptions"/> (the shape-dictionary overloads
/// are ambiguous with named arguments).
/// </summary>
public static class DenseNetFeatures
{
    public const string OutputColumn = "DenseNetFeatures";

    public static IEstimator<ITransformer> Estimator(MLContext ml, PipelineRuntime runtime, string modelDirectory, int? cudaDeviceId)
    {
        var card = ModelCard.ReadFolder(modelDirectory);
        if (card.Inputs.Count != 1 || card.Outputs.Count != 1)
            throw new InvalidDataException($"{modelDirectory}: the feature extractor must have one input and one output.");
        OnnxRuntimeSessions.EnsureQuietEnvironment();
        var input = card.Inputs[0].Name;
        var output = card.Outputs[0].Name;
        DenseNetCropSpec.FromCard(card, modelDirectory);
        const string crop = nameof(DenseNetCropOutput.DenseNetCrop);
        return ml.Transforms.CustomMapping(new CropL1L2Factory(runtime).GetMapping(), CropL1L2Factory.ContractName)
            .Append(ml.Transforms.CopyColumns(input, crop))
            .Append(ml.Transforms.ApplyOnnxModel(new OnnxOptions
            {
                ModelFile = Path.Combine(modelDirectory, card.File),
                InputColumns = [input],
                OutputColumns = [output],
                GpuDeviceId = cudaDeviceId,
                FallbackToCpu = true,
            }))
            .Append(ml.Transforms.CopyColumns(OutputColumn, output))
            .Append(ml.Transforms.DropColumns(input, output, crop));
    }
}
