#!/usr/bin/env bash
# One leg of the DR drill (.github/workflows/drill.yml; docs/runbook.md, "D. DR drill"): a graceful
# execution of the failover plan that activates a region, run with the AWS CLI against the data plane
# of that region only (every call names it, STS included), approved through the plan's approval role,
# waited for to its end, and its get-plan-execution saved as JSON for `npm run drill-report`.
#
#   tools/drill.sh <the plan's standby region> <the region to activate> <output.json>
#
# Environment: PROJECT (the regional project, default multi-region-web), POLL_SECONDS (15), MAX_POLLS
# (480: two hours at 15 s). Exit 0 when the execution completed; 1 when it did not (the JSON is saved
# all the same); 2 on bad arguments.
set -euo pipefail

if [ "$#" -ne 3 ]; then
  echo "usage: tools/drill.sh <the plan's standby region> <the region to activate> <output.json>" >&2
  exit 2
fi
S=$1
R=$2
OUT=$3
P=${PROJECT:-multi-region-web}
POLL=${POLL_SECONDS:-15}
MAX=${MAX_POLLS:-480}
region='^[a-z]{2}(-[a-z]+)+-[0-9]+$'
if ! [[ $S =~ $region && $R =~ $region ]]; then
  echo "tools/drill.sh: \"$S\" and \"$R\" must be AWS region names" >&2
  exit 2
fi
# The executions that have not ended (ExecutionState, ARC API reference): the drill never starts beside one.
OPEN='items[?contains(`["pending","inProgress","pendingManualApproval","pausedByOperator","pausedByFailedStep"]`, executionState)].executionId'

PLAN=$(aws ssm get-parameter --region "$R" --name "/failover/$P-$S/plan-arn" --query Parameter.Value --output text)
EVAL=$(aws arc-region-switch get-plan-evaluation-status --region "$R" --plan-arn "$PLAN" --no-paginate --query evaluationState --output text)
if [ "$EVAL" != passed ]; then
  echo "::error title=Plan evaluation::$PLAN evaluates as $EVAL, not passed: read its warnings (runbook, P1) before a drill"
  exit 1
fi
BUSY=$(aws arc-region-switch list-plan-executions --region "$R" --plan-arn "$PLAN" --query "$OPEN" --output text)
if [ -n "$BUSY" ]; then
  echo "::error title=Open execution::$PLAN has an execution that has not ended ($BUSY): finish or cancel it first (runbook, E)"
  exit 1
fi

EXEC=$(aws arc-region-switch start-plan-execution --region "$R" --plan-arn "$PLAN" --target-region "$R" \
  --action activate --mode graceful --comment "DR drill: activate $R (run ${GITHUB_RUN_ID:-local})" \
  --query executionId --output text)
echo "execution $EXEC: activate $R, graceful"

save() {
  aws arc-region-switch get-plan-execution --region "$R" --plan-arn "$PLAN" --execution-id "$EXEC" --output json > "$OUT"
  echo "saved $OUT"
}

# The approval role, assumed through the activated region's STS endpoint; its credentials go to the
# approving call only.
approve() {
  local role creds ak sk st
  role=$(aws ssm get-parameter --region "$R" --name "/failover/$P-$S/approval-role-arn" --query Parameter.Value --output text)
  creds=$(aws sts assume-role --region "$R" --endpoint-url "https://sts.$R.amazonaws.com" --role-arn "$role" \
    --role-session-name dr-drill-approval --query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]' --output text)
  read -r ak sk st <<< "$creds"
  AWS_ACCESS_KEY_ID="$ak" AWS_SECRET_ACCESS_KEY="$sk" AWS_SESSION_TOKEN="$st" aws arc-region-switch approve-plan-execution-step \
    --region "$R" --plan-arn "$PLAN" --execution-id "$EXEC" --step-name approve --approval approve \
    --comment "DR drill (run ${GITHUB_RUN_ID:-local})"
  echo "approved"
}

approved=false
for ((i = 1; i <= MAX; i++)); do
  STATE=$(aws arc-region-switch get-plan-execution --region "$R" --plan-arn "$PLAN" --execution-id "$EXEC" --no-paginate --query executionState --output text)
  case "$STATE" in
    completed | completedMonitoringApplicationHealth)
      echo "execution $EXEC: $STATE"
      save
      exit 0
      ;;
    pendingManualApproval)
      if [ "$approved" = false ]; then
        approve
        approved=true
      fi
      ;;
    pending | inProgress) ;;
    *)
      # pausedByFailedStep, pausedByOperator, completedWithExceptions, canceled, failed,
      # planExecutionTimedOut: the drill found something; the execution is left as it is for a person.
      echo "::error title=Execution $STATE::$EXEC stopped in $STATE: read its events (runbook, E4) and finish or cancel it"
      save
      exit 1
      ;;
  esac
  sleep "$POLL"
done
echo "::error title=Still running::$EXEC did not end within $MAX polls of $POLL s; it is left running"
save
exit 1
