namespace OsteoML.Models.Training;

/// <summary>What a model sees of Hounsfield units: clip to [Min, Max], then (HU − Center) / Scale.</summary>
public sealed record HuNormalization(double Min, double Max, double Center, double Scale)
{
    /// <summary>Segmentation: air to dense cortical bone, centred between soft tissue and trabecular bone.</summary>
    public static readonly HuNormalization Segmentation = new(-1000, 1500, 100, 400);

    /// <summary>DenseNet: fat to cortical bone, with fine steps where trabecular bone lives (≈ 0–300 HU).</summary>
    public static readonly HuNormalization DenseNet = new(-200, 1000, 150, 150);

    public float Apply(float hu) => (float)((Math.Clamp(hu, Min, Max) - Center) / Scale);

    public TorchSharp.torch.Tensor Apply(TorchSharp.torch.Tensor hu) => (hu.clamp(Min, Max) - Center) / Scale;
}
