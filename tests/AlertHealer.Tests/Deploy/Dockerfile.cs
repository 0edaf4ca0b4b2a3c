using System.Text.RegularExpressions;

using AlertHealer.Tests.Infrastructure;

namespace AlertHealer.Tests.Deploy;

// The repository's Dockerfile as instructions (continuation lines joined,
// comments dropped), grouped into stages by FROM.
internal sealed partial class Dockerfile
{
    private Dockerfile(IReadOnlyList<Instruction> instructions)
    {
        Instructions = instructions;
        var stages = new List<List<Instruction>>();
        foreach (var instruction in instructions)
        {
            if (instruction.Keyword == "FROM")
            {
                stages.Add([]);
            }

            if (stages.Count > 0)
            {
                stages[^1].Add(instruction);
            }
        }

        Stages = stages;
    }

    public IReadOnlyList<Instruction> Instructions { get; }

    public IReadOnlyList<IReadOnlyList<Instruction>> Stages { get; }

    public IReadOnlyList<Instruction> FinalStage => Stages[^1];

    public static Dockerfile Load() => Parse(RepoFiles.Read("Dockerfile"));

    public static Dockerfile Parse(string text)
    {
        var instructions = new List<Instruction>();
        var pending = "";
        foreach (var raw in text.ReplaceLineEndings("\n").Split('\n'))
        {
            var line = raw.Trim();
            if (line.StartsWith('#') || (line.Length == 0 && pending.Length == 0))
            {
                continue;
            }

            if (line.EndsWith('\\'))
            {
                pending += line[..^1] + " ";
                continue;
            }

            var whole = (pending + line).Trim();
            pending = "";
            if (whole.Length == 0)
            {
                continue;
            }

            var space = whole.IndexOfAny([' ', '\t']);
            instructions.Add(space < 0
                ? new Instruction(whole.ToUpperInvariant(), "")
                : new Instruction(whole[..space].ToUpperInvariant(), whole[(space + 1)..].Trim()));
        }

        return new Dockerfile(instructions);
    }

    // The image reference of a FROM: its first argument that is not a --flag.
    public static string ImageOf(Instruction from) =>
        from.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries).First(a => !a.StartsWith("--", StringComparison.Ordinal));

    [GeneratedRegex(@"^[a-z0-9.\-/]+:[A-Za-z0-9._\-]+@sha256:[0-9a-f]{64}$")]
    public static partial Regex PinnedByTagAndDigest();

    internal sealed record Instruction(string Keyword, string Arguments);
}
