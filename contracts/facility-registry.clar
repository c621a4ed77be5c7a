;; facility-registry
;; The register of battery-storage facilities and of the admins who vet them.
;; A facility is registered by its owner, starts as pending, and is approved or
;; rejected by an admin; an approved facility may be suspended and reinstated.
;; Owners may delegate day-to-day actions to operators; the other contracts ask
;; this one whether a principal may act for a facility.
;;
;; Errors: u1000-u1099.

(define-constant ERR_NOT_ADMIN (err u1000))
(define-constant ERR_INVALID_NAME (err u1001))
(define-constant ERR_INVALID_CAPACITY (err u1002))
(define-constant ERR_INVALID_POWER (err u1003))
(define-constant ERR_FACILITY_NOT_FOUND (err u1004))
(define-constant ERR_NOT_PENDING (err u1005))
(define-constant ERR_NOT_APPROVED (err u1006))
(define-constant ERR_NOT_SUSPENDED (err u1007))
(define-constant ERR_NOT_OWNER (err u1008))
(define-constant ERR_ALREADY_ADMIN (err u1009))
(define-constant ERR_UNKNOWN_ADMIN (err u1010))
(define-constant ERR_LAST_ADMIN (err u1011))
(define-constant ERR_OPERATOR_IS_OWNER (err u1012))

(define-constant STATUS_PENDING "pending")
(define-constant STATUS_APPROVED "approved")
(define-constant STATUS_REJECTED "rejected")
(define-constant STATUS_SUSPENDED "suspended")

;; Invariant: the keys are exactly 1..last-facility-id, each inserted once and
;; never deleted. owner never changes. name is not empty, capacity-kwh and
;; max-power-kw are above zero. status moves only pending -> approved or
;; rejected, and approved <-> suspended (rejected is final); rejection-reason is
;; some exactly when the status is rejected.
(define-map facilities
  uint
  {
    owner: principal,
    name: (string-utf8 64),
    location: (string-utf8 128),
    capacity-kwh: uint,
    max-power-kw: uint,
    status: (string-ascii 16),
    rejection-reason: (optional (string-ascii 64)),
    registered-at: uint,
    updated-at: uint,
  }
)

;; Invariant: every entry is true (removal deletes it) and the number of entries
;; is admin-count.
(define-map admins
  principal
  bool
)
;; Invariant: the number of admins, never below 1: the deployer is the first,
;; and the last one cannot be removed.
(define-data-var admin-count uint u1)
(map-set admins tx-sender true)

;; Invariant: an entry exists only while the operator is enabled (disabling
;; deletes it), so every entry is true; its facility exists, and the facility's
;; owner is never an operator of it.
(define-map operators
  {
    facility-id: uint,
    operator: principal,
  }
  bool
)

;; Invariant: the highest facility id given out; ids are never reused.
(define-data-var last-facility-id uint u0)

;; Read-only

;; The facility with this id, or none.
(define-read-only (get-facility (facility-id uint))
  (map-get? facilities facility-id)
)

;; The highest facility id given out (u0 before the first registration).
(define-read-only (get-last-facility-id)
  (var-get last-facility-id)
)

;; Whether `who` is an admin.
(define-read-only (is-admin (who principal))
  (default-to false (map-get? admins who))
)

;; How many admins there are.
(define-read-only (get-admin-count)
  (var-get admin-count)
)

;; Whether the facility exists and is approved.
(define-read-only (is-approved (facility-id uint))
  (match (map-get? facilities facility-id)
    facility (is-eq (get status facility) STATUS_APPROVED)
    false
  )
)

;; Whether `who` is an enabled operator of the facility.
(define-read-only (is-operator
    (facility-id uint)
    (who principal)
  )
  (default-to false
    (map-get? operators {
      facility-id: facility-id,
      operator: who,
    })
  )
)

;; Whether `who` is the facility's owner or an enabled operator of it, whatever
;; the facility's status: callers that need an approved facility check
;; `is-approved` as well.
(define-read-only (is-facility-authorized
    (facility-id uint)
    (who principal)
  )
  (match (map-get? facilities facility-id)
    facility (or (is-eq who (get owner facility)) (is-operator facility-id who))
    false
  )
)

;; The facility's owner, or none for an unknown id.
(define-read-only (get-facility-owner (facility-id uint))
  (get owner (map-get? facilities facility-id))
)

;; Registration

;; register-facility
;; Caller: anyone; contract-caller becomes the owner.
;; Checks, in order:
;;   name is not empty            ERR_INVALID_NAME (err u1001)
;;   capacity-kwh > 0             ERR_INVALID_CAPACITY (err u1002)
;;   max-power-kw > 0             ERR_INVALID_POWER (err u1003)
;; Changes: facilities gets the facility, pending, under last-facility-id + 1,
;; which becomes last-facility-id.
;; Prints facility-registered {facility-id, owner, name, location, capacity-kwh,
;; max-power-kw}. Returns (ok facility-id).
(define-public (register-facility
    (name (string-utf8 64))
    (location (string-utf8 128))
    (capacity-kwh uint)
    (max-power-kw uint)
  )
  (let ((facility-id (+ (var-get last-facility-id) u1)))
    ;; Any location text is accepted: it is only shown to the admins who vet the
    ;; facility, and its type bounds its length.
    ;; #[filter(location)]
    (asserts! (> (len name) u0) ERR_INVALID_NAME)
    (asserts! (> capacity-kwh u0) ERR_INVALID_CAPACITY)
    (asserts! (> max-power-kw u0) ERR_INVALID_POWER)
    (map-insert facilities facility-id {
      owner: contract-caller,
      name: name,
      location: location,
      capacity-kwh: capacity-kwh,
      max-power-kw: max-power-kw,
      status: STATUS_PENDING,
      rejection-reason: none,
      registered-at: stacks-block-height,
      updated-at: stacks-block-height,
    })
    (var-set last-facility-id facility-id)
    (print {
      topic: "facility-registered",
      facility-id: facility-id,
      owner: contract-caller,
      name: name,
      location: location,
      capacity-kwh: capacity-kwh,
      max-power-kw: max-power-kw,
    })
    (ok facility-id)
  )
)

;; Admin review

(define-private (set-status
    (facility-id uint)
    (facility {
      owner: principal,
      name: (string-utf8 64),
      location: (string-utf8 128),
      capacity-kwh: uint,
      max-power-kw: uint,
      status: (string-ascii 16),
      rejection-reason: (optional (string-ascii 64)),
      registered-at: uint,
      updated-at: uint,
    })
    (status (string-ascii 16))
    (reason (optional (string-ascii 64)))
  )
  (map-set facilities facility-id
    (merge facility {
      status: status,
      rejection-reason: reason,
      updated-at: stacks-block-height,
    })
  )
)

;; approve-facility
;; Caller: an admin (contract-caller).
;; Checks, in order:
;;   the facility exists          ERR_FACILITY_NOT_FOUND (err u1004)
;;   contract-caller is an admin  ERR_NOT_ADMIN (err u1000)
;;   the facility is pending      ERR_NOT_PENDING (err u1005)
;; Changes: the facility's status becomes approved.
;; Prints facility-approved {facility-id, owner, capacity-kwh, max-power-kw,
;; admin}. Returns (ok true).
(define-public (approve-facility (facility-id uint))
  (let ((facility (unwrap! (map-get? facilities facility-id) ERR_FACILITY_NOT_FOUND)))
    (asserts! (is-admin contract-caller) ERR_NOT_ADMIN)
    (asserts! (is-eq (get status facility) STATUS_PENDING) ERR_NOT_PENDING)
    (set-status facility-id facility STATUS_APPROVED none)
    (print {
      topic: "facility-approved",
      facility-id: facility-id,
      owner: (get owner facility),
      capacity-kwh: (get capacity-kwh facility),
      max-power-kw: (get max-power-kw facility),
      admin: contract-caller,
    })
    (ok true)
  )
)

;; reject-facility
;; Caller: an admin (contract-caller).
;; Checks, in order:
;;   the facility exists          ERR_FACILITY_NOT_FOUND (err u1004)
;;   contract-caller is an admin  ERR_NOT_ADMIN (err u1000)
;;   the facility is pending      ERR_NOT_PENDING (err u1005)
;; Changes: the facility's status becomes rejected, with the reason.
;; Prints facility-rejected {facility-id, owner, reason, admin}. Returns (ok true).
(define-public (reject-facility
    (facility-id uint)
    (reason (string-ascii 64))
  )
  (let ((facility (unwrap! (map-get? facilities facility-id) ERR_FACILITY_NOT_FOUND)))
    (asserts! (is-admin contract-caller) ERR_NOT_ADMIN)
    (asserts! (is-eq (get status facility) STATUS_PENDING) ERR_NOT_PENDING)
    ;; Any reason text is accepted: it is the admin's own note to the owner, and its
    ;; type bounds its length.
    ;; #[allow(unchecked_data)]
    (set-status facility-id facility STATUS_REJECTED (some reason))
    (print {
      topic: "facility-rejected",
      facility-id: facility-id,
      owner: (get owner facility),
      reason: reason,
      admin: contract-caller,
    })
    (ok true)
  )
)

;; suspend-facility
;; Caller: an admin (contract-caller).
;; Checks, in order:
;;   the facility exists          ERR_FACILITY_NOT_FOUND (err u1004)
;;   contract-caller is an admin  ERR_NOT_ADMIN (err u1000)
;;   the facility is approved     ERR_NOT_APPROVED (err u1006)
;; Changes: the facility's status becomes suspended.
;; Prints facility-suspended {facility-id, owner, admin}. Returns (ok true).
(define-public (suspend-facility (facility-id uint))
  (let ((facility (unwrap! (map-get? facilities facility-id) ERR_FACILITY_NOT_FOUND)))
    (asserts! (is-admin contract-caller) ERR_NOT_ADMIN)
    (asserts! (is-eq (get status facility) STATUS_APPROVED) ERR_NOT_APPROVED)
    (set-status facility-id facility STATUS_SUSPENDED none)
    (print {
      topic: "facility-suspended",
      facility-id: facility-id,
      owner: (get owner facility),
      admin: contract-caller,
    })
    (ok true)
  )
)

;; reinstate-facility
;; Caller: an admin (contract-caller).
;; Checks, in order:
;;   the facility exists          ERR_FACILITY_NOT_FOUND (err u1004)
;;   contract-caller is an admin  ERR_NOT_ADMIN (err u1000)
;;   the facility is suspended    ERR_NOT_SUSPENDED (err u1007)
;; Changes: the facility's status becomes approved again.
;; Prints facility-reinstated {facility-id, owner, admin}. Returns (ok true).
(define-public (reinstate-facility (facility-id uint))
  (let ((facility (unwrap! (map-get? facilities facility-id) ERR_FACILITY_NOT_FOUND)))
    (asserts! (is-admin contract-caller) ERR_NOT_ADMIN)
    (asserts! (is-eq (get status facility) STATUS_SUSPENDED) ERR_NOT_SUSPENDED)
    (set-status facility-id facility STATUS_APPROVED none)
    (print {
      topic: "facility-reinstated",
      facility-id: facility-id,
      owner: (get owner facility),
      admin: contract-caller,
    })
    (ok true)
  )
)

;; Admins

;; add-admin
;; Caller: an admin (contract-caller).
;; Checks, in order:
;;   contract-caller is an admin  ERR_NOT_ADMIN (err u1000)
;;   `who` is not an admin yet    ERR_ALREADY_ADMIN (err u1009)
;; Changes: admins gets `who`; admin-count + 1.
;; Prints admin-added {admin, by}. Returns (ok true).
(define-public (add-admin (who principal))
  (begin
    (asserts! (is-admin contract-caller) ERR_NOT_ADMIN)
    (asserts! (map-insert admins who true) ERR_ALREADY_ADMIN)
    (var-set admin-count (+ (var-get admin-count) u1))
    (print {
      topic: "admin-added",
      admin: who,
      by: contract-caller,
    })
    (ok true)
  )
)

;; remove-admin
;; Caller: an admin (contract-caller); an admin may remove themselves.
;; Checks, in order:
;;   contract-caller is an admin  ERR_NOT_ADMIN (err u1000)
;;   `who` is an admin            ERR_UNKNOWN_ADMIN (err u1010)
;;   another admin remains        ERR_LAST_ADMIN (err u1011)
;; Changes: `who` leaves admins; admin-count - 1.
;; Prints admin-removed {admin, by}. Returns (ok true).
(define-public (remove-admin (who principal))
  (begin
    (asserts! (is-admin contract-caller) ERR_NOT_ADMIN)
    (asserts! (is-admin who) ERR_UNKNOWN_ADMIN)
    (asserts! (> (var-get admin-count) u1) ERR_LAST_ADMIN)
    (map-delete admins who)
    (var-set admin-count (- (var-get admin-count) u1))
    (print {
      topic: "admin-removed",
      admin: who,
      by: contract-caller,
    })
    (ok true)
  )
)

;; Operator delegation

;; set-operator
;; Caller: the facility's owner (contract-caller).
;; Checks, in order:
;;   the facility exists              ERR_FACILITY_NOT_FOUND (err u1004)
;;   contract-caller is its owner     ERR_NOT_OWNER (err u1008)
;;   `operator` is not the owner      ERR_OPERATOR_IS_OWNER (err u1012)
;; Changes: enabled adds the operator to operators, disabled deletes it (either
;; also when it already was so).
;; Prints operator-set {facility-id, operator, enabled}. Returns (ok true).
(define-public (set-operator
    (facility-id uint)
    (operator principal)
    (enabled bool)
  )
  (let ((facility (unwrap! (map-get? facilities facility-id) ERR_FACILITY_NOT_FOUND)))
    (asserts! (is-eq contract-caller (get owner facility)) ERR_NOT_OWNER)
    (asserts! (not (is-eq operator (get owner facility))) ERR_OPERATOR_IS_OWNER)
    (if enabled
      (map-set operators {
        facility-id: facility-id,
        operator: operator,
      }
        true
      )
      (map-delete operators {
        facility-id: facility-id,
        operator: operator,
      })
    )
    (print {
      topic: "operator-set",
      facility-id: facility-id,
      operator: operator,
      enabled: enabled,
    })
    (ok true)
  )
)
