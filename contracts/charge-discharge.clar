;; charge-discharge
;; The grid's demand level and the record of energy moved into and out of each
;; facility. Demand is a percentage of peak set by admins; below the low
;; threshold batteries should charge, at or above the high threshold they should
;; discharge. Every charge or discharge record moves the facility's stored
;; energy in capacity-tracking in the same transaction.
;;
;; Errors: u3000-u3099.

(define-constant ERR_NOT_ADMIN (err u3000))
(define-constant ERR_INVALID_DEMAND_LEVEL (err u3001))
(define-constant ERR_INVALID_THRESHOLDS (err u3002))
(define-constant ERR_NOT_AUTHORIZED (err u3003))
(define-constant ERR_INVALID_ENERGY (err u3004))
(define-constant ERR_FACILITY_NOT_APPROVED (err u3005))
(define-constant ERR_NOT_INITIALIZED (err u3006))

(define-constant MAX_DEMAND_LEVEL u100)

;; Invariant: 0 <= grid-demand <= MAX_DEMAND_LEVEL (a percentage of peak).
(define-data-var grid-demand uint u50)
;; Invariant: the height of the last set-grid-demand (u0 before the first).
(define-data-var demand-updated-at uint u0)
;; Invariant: low-threshold < high-threshold <= MAX_DEMAND_LEVEL.
(define-data-var low-threshold uint u30)
;; Invariant: as low-threshold's.
(define-data-var high-threshold uint u70)
;; Invariant: the highest flow-record id given out; ids are never reused.
(define-data-var last-record-id uint u0)

;; Invariant: the keys are exactly 1..last-record-id, each inserted once and
;; never changed; energy-kwh > 0, and stored-after-kwh is the facility's stored
;; energy in capacity-tracking right after the flow.
(define-map flow-records
  uint
  {
    facility-id: uint,
    action: (string-ascii 16),
    energy-kwh: uint,
    demand-level: uint,
    stored-after-kwh: uint,
    recorded-by: principal,
    recorded-at: uint,
  }
)

;; Read-only

;; The demand level, the thresholds and when the level was last set.
(define-read-only (get-grid-demand)
  {
    level: (var-get grid-demand),
    low-threshold: (var-get low-threshold),
    high-threshold: (var-get high-threshold),
    updated-at: (var-get demand-updated-at),
  }
)

;; The flow record with this id, or none.
(define-read-only (get-flow-record (record-id uint))
  (map-get? flow-records record-id)
)

;; The highest flow-record id given out (u0 before the first).
(define-read-only (get-last-record-id)
  (var-get last-record-id)
)

(define-private (min-of
    (a uint)
    (b uint)
  )
  (if (< a b)
    a
    b
  )
)

;; What the facility should do at the current demand level, bounded by what one
;; hour at its maximum power can move (kW x 1 h = kWh). A facility that is not
;; approved holds, whether or not its capacity was ever initialised; an unknown
;; facility, or an approved one without capacity, is ERR_NOT_INITIALIZED.
(define-read-only (get-suggested-action (facility-id uint))
  (let (
      (facility (unwrap! (contract-call? .facility-registry get-facility facility-id)
        ERR_NOT_INITIALIZED
      ))
      (level (var-get grid-demand))
      (hour-limit-kwh (get max-power-kw facility))
    )
    (if (not (is-eq (get status facility) "approved"))
      (ok {
        action: "hold",
        energy-kwh: u0,
      })
      (let ((capacity (unwrap! (contract-call? .capacity-tracking get-capacity facility-id)
          ERR_NOT_INITIALIZED
        )))
        (ok (if (>= level (var-get high-threshold))
          {
            action: "discharge",
            energy-kwh: (min-of (get available-kwh capacity) hour-limit-kwh),
          }
          (if (< level (var-get low-threshold))
            {
              action: "charge",
              energy-kwh: (min-of (- (get total-kwh capacity) (get stored-kwh capacity))
                hour-limit-kwh
              ),
            }
            {
              action: "hold",
              energy-kwh: u0,
            }
          )
        ))
      )
    )
  )
)

;; Admins

;; set-grid-demand
;; Caller: an admin of facility-registry (contract-caller).
;; Checks, in order:
;;   contract-caller is an admin      ERR_NOT_ADMIN (err u3000)
;;   level <= 100                     ERR_INVALID_DEMAND_LEVEL (err u3001)
;; Changes: grid-demand, demand-updated-at.
;; Prints grid-demand-updated {level, low-threshold, high-threshold}.
;; Returns (ok true).
(define-public (set-grid-demand (level uint))
  (begin
    (asserts! (contract-call? .facility-registry is-admin contract-caller)
      ERR_NOT_ADMIN
    )
    (asserts! (<= level MAX_DEMAND_LEVEL) ERR_INVALID_DEMAND_LEVEL)
    (var-set grid-demand level)
    (var-set demand-updated-at stacks-block-height)
    (print {
      topic: "grid-demand-updated",
      level: level,
      low-threshold: (var-get low-threshold),
      high-threshold: (var-get high-threshold),
    })
    (ok true)
  )
)

;; set-demand-thresholds
;; Caller: an admin of facility-registry (contract-caller).
;; Checks, in order:
;;   contract-caller is an admin      ERR_NOT_ADMIN (err u3000)
;;   low < high <= 100                ERR_INVALID_THRESHOLDS (err u3002)
;; Changes: low-threshold, high-threshold.
;; Prints demand-thresholds-updated {level, low-threshold, high-threshold}.
;; Returns (ok true).
(define-public (set-demand-thresholds
    (low uint)
    (high uint)
  )
  (begin
    (asserts! (contract-call? .facility-registry is-admin contract-caller)
      ERR_NOT_ADMIN
    )
    (asserts! (and (< low high) (<= high MAX_DEMAND_LEVEL)) ERR_INVALID_THRESHOLDS)
    (var-set low-threshold low)
    (var-set high-threshold high)
    (print {
      topic: "demand-thresholds-updated",
      level: (var-get grid-demand),
      low-threshold: low,
      high-threshold: high,
    })
    (ok true)
  )
)

;; Owner and operator

;; record-flow, for record-charge and record-discharge, which pass their
;; arguments straight through: it checks them itself before anything is written.
;; Caller: the facility's owner or an enabled operator (contract-caller).
;; Checks, in order:
;;   contract-caller may act for it   ERR_NOT_AUTHORIZED (err u3003)
;;   the facility is approved         ERR_FACILITY_NOT_APPROVED (err u3005)
;;   its capacity was initialised     ERR_NOT_INITIALIZED (err u3006)
;;   energy-kwh > 0                   ERR_INVALID_ENERGY (err u3004)
;;   then capacity-tracking.adjust-stored refuses a charge beyond the total
;;   (err u2004) or a discharge into reserved energy (err u2005).
;; Changes: the stored energy in capacity-tracking (which prints
;; capacity-updated); flow-records gets the record under last-record-id + 1,
;; which becomes last-record-id.
;; Prints flow-recorded {record-id, facility-id, action, energy-kwh,
;; demand-level, stored-after-kwh, recorded-by}. Returns (ok record-id).
;; #[allow(unchecked_params)]
(define-private (record-flow
    (facility-id uint)
    (energy-kwh uint)
    (is-charge bool)
  )
  (let ((record-id (+ (var-get last-record-id) u1)))
    (asserts!
      (contract-call? .facility-registry is-facility-authorized facility-id
        contract-caller
      )
      ERR_NOT_AUTHORIZED
    )
    (asserts! (contract-call? .facility-registry is-approved facility-id)
      ERR_FACILITY_NOT_APPROVED
    )
    (asserts! (contract-call? .capacity-tracking is-initialized facility-id)
      ERR_NOT_INITIALIZED
    )
    (asserts! (> energy-kwh u0) ERR_INVALID_ENERGY)
    (let ((stored-after (try! (contract-call? .capacity-tracking adjust-stored facility-id energy-kwh
        is-charge
      ))))
      (map-insert flow-records record-id {
        facility-id: facility-id,
        action: (if is-charge
          "charge"
          "discharge"
        ),
        energy-kwh: energy-kwh,
        demand-level: (var-get grid-demand),
        stored-after-kwh: stored-after,
        recorded-by: contract-caller,
        recorded-at: stacks-block-height,
      })
      (var-set last-record-id record-id)
      (print {
        topic: "flow-recorded",
        record-id: record-id,
        facility-id: facility-id,
        action: (if is-charge
          "charge"
          "discharge"
        ),
        energy-kwh: energy-kwh,
        demand-level: (var-get grid-demand),
        stored-after-kwh: stored-after,
        recorded-by: contract-caller,
      })
      (ok record-id)
    )
  )
)

;; record-charge: energy moved into the facility.
;; Caller: the facility's owner or an enabled operator (contract-caller).
;; Checks, changes and prints as record-flow above, with action "charge"; a
;; charge beyond the total is capacity-tracking's (err u2004).
(define-public (record-charge
    (facility-id uint)
    (energy-kwh uint)
  )
  (record-flow facility-id energy-kwh true)
)

;; record-discharge: energy moved out of the facility.
;; Caller: the facility's owner or an enabled operator (contract-caller).
;; Checks, changes and prints as record-flow above, with action "discharge"; a
;; discharge into reserved energy is capacity-tracking's (err u2005).
(define-public (record-discharge
    (facility-id uint)
    (energy-kwh uint)
  )
  (record-flow facility-id energy-kwh false)
)
