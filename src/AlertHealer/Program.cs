using AlertHealer.Audit;
using AlertHealer.Auth;
using AlertHealer.Demo;
using AlertHealer.Health;
using AlertHealer.Kubernetes;
using AlertHealer.Metrics;
using AlertHealer.Policies;
using AlertHealer.Remediation;
using AlertHealer.Storage;
using AlertHealer.Webhooks;

var builder = WebApplication.CreateBuilder(DemoMode.Strip(args, out var demo));
builder.AddDemoMode(demo);
builder.Services.AddSingleton(TimeProvider.System);
builder.AddApi();
builder.AddTokenAuth();
builder.AddMetrics();
builder.AddStorage();
builder.AddKubernetes();
builder.AddRemediation();

var app = builder.Build();
app.UseApi();
app.UseAuthentication();
app.UseAuthorization();
app.MapHealth();
app.MapWebhooks();
app.MapRemediation();
app.MapPolicies();
app.MapAudit();
app.MapMetrics();
app.AnnounceDemoMode(demo);
app.Run();

public partial class Program;
