import Alerts
import Testing

@Suite struct GraphiteLinesTests {
    @Test func samplesBecomePathsAndBucketsAreLeftOut() {
        let text = """
            # HELP chronos_jobs Jobs in the scheduler
            # TYPE chronos_jobs gauge
            chronos_jobs 12
            chronos_runs_ended_total{outcome="failed",trigger="schedule"} 3
            chronos_run_duration_seconds_bucket{outcome="succeeded",le="1.0"} 2
            chronos_run_duration_seconds_sum{outcome="succeeded"} 0.25
            chronos_jobs_by_state{state="a b\\"c"} 1
            """
        let lines = GraphiteLines.from(prometheus: text, prefix: "prod.chronos", timestamp: 1_767_225_600)
        #expect(lines == """
            prod.chronos.chronos_jobs 12 1767225600
            prod.chronos.chronos_runs_ended_total.failed.schedule 3 1767225600
            prod.chronos.chronos_run_duration_seconds_sum.succeeded 0.25 1767225600
            prod.chronos.chronos_jobs_by_state.a_b_c 1 1767225600

            """)
        #expect(GraphiteLines.from(prometheus: "x 1", prefix: "", timestamp: 5) == "x 1 5\n")
    }
}
