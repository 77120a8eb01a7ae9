using System.Text.Json.Nodes;

namespace DualStack.Tests.Shared;

/// <summary><c>dualstack check --json</c>'s output: one object per address, then the verdict object.</summary>
public static class CheckOutput
{
    /// <summary>
    /// The verdict object, with the address objects that came before it gathered under <c>addresses</c>. Each line must
    /// be one JSON object, and exactly one must carry the verdict.
    /// </summary>
    public static JsonObject Parse(ProcessResult result)
    {
        var objects = result.StdOutLines.Select(line => JsonNode.Parse(line)!.AsObject()).ToList();
        int verdictAt = objects.FindIndex(o => o.ContainsKey("verdict"));
        Assert.True(verdictAt >= 0, $"no verdict object; got {result}");
        Assert.Single(objects, o => o.ContainsKey("verdict"));
        Assert.All(objects[..verdictAt], o => Assert.True(o.ContainsKey("address") && o.ContainsKey("outcome") && o.ContainsKey("ms"), o.ToJsonString()));

        var summary = (JsonObject)objects[verdictAt].DeepClone();
        summary["addresses"] = new JsonArray([.. objects[..verdictAt].Select(o => (JsonNode)o.DeepClone())]);
        return summary;
    }
}
