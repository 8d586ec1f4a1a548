#!/bin/bash
# The image's entry point. Spark on Kubernetes (the operator's SparkApplications, tools/k8s/spark_jobs.py) starts
# its pods with `driver <spark-submit arguments>` or `executor`; anything else runs as given (the Deployments set
# their own command, `docker run fintech-mesh:dev python -m ...` runs that).
set -euo pipefail
case "${1:-}" in
  driver)
    shift
    # The driver: the job's Python under spark-submit in client mode, in this pod (Spark's pod contract).
    exec "${SPARK_HOME}/bin/spark-submit" \
      --conf "spark.driver.bindAddress=${SPARK_DRIVER_BIND_ADDRESS}" \
      --conf "spark.executorEnv.SPARK_DRIVER_POD_IP=${SPARK_DRIVER_BIND_ADDRESS}" \
      --deploy-mode client "$@"
    ;;
  executor)
    # An executor: Spark's Kubernetes backend, told by the driver through SPARK_* variables.
    jars="${SPARK_HOME}/jars/*:/opt/spark-jobs/jars/*"
    options=()
    while IFS= read -r option; do options+=("${option#*=}"); done < <(env | grep '^SPARK_JAVA_OPT_' | sort -t_ -k4 -n)
    exec java "${options[@]}" -Xms"${SPARK_EXECUTOR_MEMORY}" -Xmx"${SPARK_EXECUTOR_MEMORY}" -cp "${jars}" \
      org.apache.spark.scheduler.cluster.k8s.KubernetesExecutorBackend \
      --driver-url "${SPARK_DRIVER_URL}" --executor-id "${SPARK_EXECUTOR_ID}" --cores "${SPARK_EXECUTOR_CORES}" \
      --app-id "${SPARK_APPLICATION_ID}" --hostname "${SPARK_EXECUTOR_POD_IP}" \
      --resourceProfileId "${SPARK_RESOURCE_PROFILE_ID}" --podName "${SPARK_EXECUTOR_POD_NAME}"
    ;;
  *)
    exec "$@"
    ;;
esac
