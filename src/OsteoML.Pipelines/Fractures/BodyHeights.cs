namespace OsteoML.Pipelines.Fractures;

/// <summary>A vertebral body's anterior, middle and posterior heights, mm, along its own craniocaudal axis.</summary>
public sealed record BodyHeights(double Anterior, double Middle, double Posterior)
{
    public BodyHeights Rounded(int decimals = 1) => new(Math.Round(Anterior, decimals), Math.Round(Middle, decimals), Math.Round(Posterior, decimals));
}
