using System.Text.Json;
using System.Text.Json.Serialization;

namespace OsteoML.Pipelines.Fractures;

/// <summary>Writes an enum as its camelCase name ("wedge", "cutByScanEdge"), like the rest of the result JSON.</summary>
internal sealed class JsonCamelCaseEnum<T>() : JsonStringEnumConverter<T>(JsonNamingPolicy.CamelCase) where T : struct, Enum;
