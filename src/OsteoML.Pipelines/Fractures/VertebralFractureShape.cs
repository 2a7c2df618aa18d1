namespace OsteoML.Pipelines.Fractures;

/// <summary>Genant's shapes of an osteoporotic compression fracture, named after the height that is lost.</summary>
public enum VertebralFractureShape
{
    /// <summary>Anterior height lost against the posterior (the body's own wall is the reference).</summary>
    Wedge,
    /// <summary>Middle height lost against the anterior and posterior: both endplates collapse centrally.</summary>
    Biconcave,
    /// <summary>The whole body, posterior wall included, lost height against its neighbours.</summary>
    Crush,
}
